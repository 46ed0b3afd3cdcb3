"""Fixtures for the delivery tests: settings with short timings, a tenant with a linked number
and a few threads, and a pipeline over a fake transport."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.delivery.dlv_helpers import (
    FakeTransport,
    make_conversations,
    make_number,
    make_tenant,
    random_phone,
)
from whatsapp_saas.delivery.settings import DeliverySettings, reset_delivery_settings
from whatsapp_saas.inbox.media import LocalMediaStore, set_media_store
from whatsapp_saas.inbox.outbox import set_outbox_notifier


def fast(**overrides: Any) -> DeliverySettings:
    values: dict[str, Any] = {
        "sending_timeout": 5.0,
        "rpc_timeout": 3.0,
        "lost_after": 2.0,
        "sweep_interval": 0.2,
        "backoff_base": 0.05,
        "backoff_cap": 0.2,
        "max_attempts": 4,
        "governor_enabled": False,
    }
    values.update(overrides)
    return DeliverySettings(**values)


@dataclass
class Shop:
    tenant_id: int
    number_id: int
    conversations: list[int]


@pytest.fixture(autouse=True)
def _clean_delivery_globals(tmp_path: Path) -> Iterator[None]:
    set_outbox_notifier(None)
    set_media_store(LocalMediaStore(tmp_path / "media"))
    reset_delivery_settings()
    yield
    set_outbox_notifier(None)
    set_media_store(None)
    reset_delivery_settings()


def _shop(threads: int = 4) -> Shop:
    tenant_id = make_tenant()
    number_id = make_number(tenant_id)
    phones = [random_phone() for _ in range(threads)]
    return Shop(tenant_id, number_id, make_conversations(tenant_id, number_id, phones))


@pytest.fixture
def shop(any_db: str) -> Shop:
    return _shop()


@pytest.fixture
def pg_shop(db: str) -> Shop:
    return _shop()


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()
