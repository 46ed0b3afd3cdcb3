"""Fixtures for the automation tests: a tenant on migrated PostgreSQL, clean inbox globals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from auto_helpers import World, make_world

from whatsapp_saas.inbox import hooks
from whatsapp_saas.inbox.media import LocalMediaStore, set_media_store
from whatsapp_saas.inbox.outbox import set_outbox_notifier


@pytest.fixture(autouse=True)
def _clean_globals(tmp_path: Path) -> Iterator[None]:
    hooks.clear_hooks()
    set_outbox_notifier(None)
    set_media_store(LocalMediaStore(tmp_path / "media"))
    yield
    hooks.clear_hooks()
    set_outbox_notifier(None)
    set_media_store(None)


@pytest.fixture
def world(db: str) -> World:
    return make_world("Acme")


@pytest.fixture
def sqlite_world(any_db: str) -> World:
    return make_world("Acme")
