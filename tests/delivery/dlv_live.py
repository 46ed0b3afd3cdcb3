"""Helpers for tests that send for real: linked simulator numbers, manager nodes, phones."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import httpx

from tests.delivery.dlv_helpers import random_phone
from whatsapp_saas.db import session_scope
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import service
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings
from whatsapp_saas.whatsapp.models import SessionSnapshot, WhatsAppNumber

T = TypeVar("T")


def manager_settings(**overrides: Any) -> ManagerSettings:
    values: dict[str, Any] = {
        "start_rate": 50.0,
        "sessions_per_host": 25,
        "lease_ttl": 5.0,
        "reconcile_interval": 0.3,
        "backoff_base": 0.2,
        "backoff_cap": 2.0,
        "snapshot_debounce": 0.3,
        "call_timeout": 10.0,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return ManagerSettings(**values)


async def wait_until(check: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.1)


def number_row(number_id: int) -> WhatsAppNumber:
    with session_scope() as session:
        row = session.get(WhatsAppNumber, number_id)
        assert row is not None
        return row


def add_and_connect(tenant_id: int, name: str) -> int:
    with session_scope() as session:
        scope = TenantScope(session, tenant_id)
        row = service.add_number(scope, name=name)
        assert row.id is not None
        service.request_connect(scope, number_id=row.id)
        return row.id


async def scan(sim_url: str, number_id: int, phone: str) -> None:
    """Scan the QR code the number shows, rescanning if it rotated meanwhile."""
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(base_url=sim_url, timeout=10) as client:
        while True:
            qr = await wait_until(lambda: number_row(number_id).qr_code, 30, "a QR code")
            body = {"qr": qr, "phone": phone, "push_name": f"Shop {number_id}"}
            response = await client.post("/sim/link", json=body)
            if response.status_code == 200:
                return
            assert time.monotonic() < deadline, response.text
            await asyncio.sleep(0.2)


def _connected(number_id: int) -> Callable[[], bool]:
    return lambda: number_row(number_id).state == "connected"


def _snapshot_of(number_id: int) -> Callable[[], bool]:
    return lambda: _snapshotted(number_id)


def _snapshotted(number_id: int) -> bool:
    with session_scope() as session:
        found = session.query(SessionSnapshot).filter_by(number_id=number_id).first()
        return found is not None


async def link_numbers(sim_url: str, tenant_id: int, count: int) -> list[tuple[int, str]]:
    """``count`` numbers linked through the simulator and connected: [(number_id, phone)]."""
    linked = [(add_and_connect(tenant_id, f"Line {i}"), random_phone()) for i in range(count)]
    await asyncio.gather(*(scan(sim_url, n, phone) for n, phone in linked))
    for number_id, _ in linked:
        await wait_until(_connected(number_id), 30, "connected")
        await wait_until(_snapshot_of(number_id), 10, "a snapshot")
    return linked


async def inboxes(sim_url: str, phones: Sequence[str]) -> dict[str, dict[str, Any]]:
    """What each phone received: {phone: {"ids": {...}, "duplicates": n, "times": [...]}}."""
    from whatsapp_saas.simulator import SimulatorClient

    found: dict[str, dict[str, Any]] = {}
    async with SimulatorClient(sim_url, timeout=30) as sim:
        for phone in phones:
            data = await sim.phone_messages(phone)
            found[phone] = {
                "ids": [m["id"] for m in data["messages"]],
                "messages": data["messages"],
                "duplicates": int(data["duplicates"]),
            }
    return found


def phone_tally(
    expected_wa_ids: set[str], received: dict[str, dict[str, Any]]
) -> tuple[list[str], list[str], int]:
    """(expected ids, ids on the phones, duplicates), sorted for an exactly-once comparison."""
    on_phones = [i for box in received.values() for i in box["ids"]]
    duplicates = sum(box["duplicates"] for box in received.values())
    return sorted(expected_wa_ids), sorted(on_phones), duplicates
