"""Fixtures for the scheduling tests: a tenant with a number and contacts, on migrated
PostgreSQL, and a clean slate for the process-wide inbox globals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sched_helpers import World, make_world

from tests.conftest import media_dir


@pytest.fixture(autouse=True)
def _clean_globals(tmp_path: Path) -> Iterator[None]:
    with media_dir(tmp_path / "media"):
        yield


@pytest.fixture
def world(db: str) -> World:
    """Tenant "Acme" in São Paulo time with one number and two contacts (Postgres)."""
    return make_world("Acme", "America/Sao_Paulo")


@pytest.fixture
def other(world: World) -> World:
    """A second tenant, to check isolation."""
    return make_world("Beta", "UTC")


@pytest.fixture
def sqlite_world(any_db: str) -> World:
    return make_world("Acme", "America/Sao_Paulo")
