"""Fixtures for the automation tests: a tenant on migrated PostgreSQL, clean inbox globals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from auto_helpers import World, make_world

from tests.conftest import media_dir


@pytest.fixture(autouse=True)
def _clean_globals(tmp_path: Path) -> Iterator[None]:
    with media_dir(tmp_path / "media"):
        yield


@pytest.fixture
def world(db: str) -> World:
    return make_world("Acme")


@pytest.fixture
def sqlite_world(any_db: str) -> World:
    return make_world("Acme")


@pytest.fixture(scope="session")
def simulator() -> Iterator[Any]:
    from whatsapp_saas.simulator import start_in_background

    handle = start_in_background("127.0.0.1", 0, qr_first_ttl=60, qr_ttl=30, qr_max=4)
    yield handle
    handle.stop()


@pytest.fixture
def sim_url(simulator: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    from whatsapp_saas.config import reset_settings_cache

    monkeypatch.setenv("SIMULATOR_URL", simulator.url)
    monkeypatch.setenv("WHATSAPP_DRIVER", "simulator")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DELIVERY_GOVERNOR_ENABLED", "false")
    reset_settings_cache()
    return str(simulator.url)
