"""Helpers for the connection-manager tests: waiting, reading rows, driving the simulator."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from sqlmodel import select

from whatsapp_saas.db import session_scope
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import service
from whatsapp_saas.whatsapp.models import SessionSnapshot, WhatsAppNumber

T = TypeVar("T")


def random_phone() -> str:
    """A valid Brazilian mobile number no other test uses."""
    return "+55119" + "".join(secrets.choice("0123456789") for _ in range(8))


async def wait_until(check: Callable[[], T | None], timeout: float = 10.0, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        await asyncio.sleep(0.05)


def number(number_id: int) -> WhatsAppNumber:
    with session_scope() as session:
        row = session.get(WhatsAppNumber, number_id)
        assert row is not None
        return row


def snapshot_blob(number_id: int) -> bytes | None:
    with session_scope() as session:
        row = session.exec(
            select(SessionSnapshot).where(SessionSnapshot.number_id == number_id)
        ).first()
        return bytes(row.ciphertext) if row is not None else None


async def wait_state(number_id: int, state: str, timeout: float = 10.0) -> WhatsAppNumber:
    def check() -> WhatsAppNumber | None:
        row = number(number_id)
        return row if row.state == state else None

    return await wait_until(check, timeout, f"number {number_id} to be {state}")


def add_number(tenant_id: int, name: str = "Sales") -> int:
    with session_scope() as session:
        row = service.add_number(TenantScope(session, tenant_id), name=name)
        assert row.id is not None
        return row.id


def connect(tenant_id: int, number_id: int) -> None:
    with session_scope() as session:
        service.request_connect(TenantScope(session, tenant_id), number_id=number_id)


async def sim_post(sim_url: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    async with httpx.AsyncClient(base_url=sim_url, timeout=10) as client:
        return await client.post(path, json=body or {})


async def link(sim_url: str, number_id: int, phone: str, push_name: str = "Acme Sales") -> None:
    """Scan the QR code the number shows right now, as the phone would.

    A code can rotate between reading it and scanning it (short TTLs, busy machine): like a
    person, read the screen again and rescan.
    """
    deadline = time.monotonic() + 15
    while True:
        qr = await wait_until(lambda: number(number_id).qr_code, 15, "a QR code")
        body = {"qr": qr, "phone": phone, "push_name": push_name}
        response = await sim_post(sim_url, "/sim/link", body)
        if response.status_code == 200:
            return
        assert response.status_code == 404 and time.monotonic() < deadline, response.text
        await asyncio.sleep(0.1)


async def connect_and_link(sim_url: str, tenant_id: int, phone: str, name: str = "Sales") -> int:
    number_id = add_number(tenant_id, name)
    connect(tenant_id, number_id)
    await link(sim_url, number_id, phone)
    await wait_state(number_id, "connected")
    await wait_until(lambda: snapshot_blob(number_id), 5, "the snapshot after pairing")
    return number_id


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
