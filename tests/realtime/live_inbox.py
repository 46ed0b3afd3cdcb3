"""Helpers for tests and benchmarks that watch open inboxes over the websocket.

A number of the tenant is linked through the simulator (the QR text comes from the
simulator's own session list), and customers write to it through ``/sim/messages``: every
message then travels the real path (driver, ingest, commit, event channel, hub, socket).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import urllib.request
from typing import Any

from sqlmodel import col, select

from tests.realtime.socket_tab import Tab
from whatsapp_saas.ui.inbox.state import InboxState
from whatsapp_saas.ui.whatsapp.state import WhatsAppState

INBOX = InboxState.get_full_name()
WHATSAPP = WhatsAppState.get_full_name()


def sim(simulator_url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        simulator_url + path, data=data, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def phone() -> str:
    return "+55119" + "".join(str(secrets.randbelow(10)) for _ in range(8))


def tenant_numbers(tenant_id: int) -> list[int]:
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as s:
        ids = s.exec(
            select(WhatsAppNumber.id).where(col(WhatsAppNumber.tenant_id) == tenant_id)
        ).all()
    return sorted(i for i in ids if i is not None)


async def link_number(owner: Tab, simulator_url: str, tenant_id: int) -> str:
    """Add a number, show its QR code, scan it with a fresh phone; returns that phone."""
    await owner.send(f"{WHATSAPP}.load", "/whatsapp")
    await owner.send(f"{WHATSAPP}.add_number", "/whatsapp", form={"name": "Loja"})
    number_id = tenant_numbers(tenant_id)[-1]
    await owner.send(f"{WHATSAPP}.connect", "/whatsapp", number_id=str(number_id))
    business = phone()
    for _ in range(150):
        qrs = [s["qr"] for s in sim(simulator_url, "/sim/sessions")["sessions"] if s.get("qr")]
        if qrs:
            sim(simulator_url, "/sim/link", {"qr": qrs[-1], "phone": business})
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("no QR code to scan")
    await _until_connected(number_id)
    return business


async def _until_connected(number_id: int) -> None:
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    for _ in range(150):
        with session_scope() as s:
            number = s.get(WhatsAppNumber, number_id)
            if number is not None and number.state == "connected":
                return
        await asyncio.sleep(0.2)
    raise AssertionError("the number did not connect")


def customer_writes(simulator_url: str, business: str, customer: str, text: str) -> None:
    body = {"from": customer, "to": business, "text": text, "push_name": "Cliente"}
    sim(simulator_url, "/sim/messages", body)


async def open_inbox(tab: Tab) -> None:
    await tab.send(f"{INBOX}.load", "/inbox")


def inbox_text(tab: Tab) -> str:
    """Everything the tab received for its Inbox state, as one string to search."""
    return json.dumps(
        [changes for delta in tab.deltas for name, changes in delta.items() if name == INBOX]
    )


async def eventually(condition: Any, timeout: float = 20) -> bool:
    for _ in range(int(timeout / 0.1)):
        if condition():
            return True
        await asyncio.sleep(0.1)
    return bool(condition())
