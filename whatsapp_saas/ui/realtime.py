"""Live updates: a SharedState per tenant, fed by the tenant event channel.

Each browser links its ``TenantFeed`` to ``tenant-<id>`` (derived server-side from the signed-in
user). The relay task reloads the affected view from the database — the one truth — and
writes it into the shared state, which Reflex pushes to every linked browser.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from whatsapp_saas.realtime.channel import TenantEvent, get_channel
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.whatsapp.linking import refresh_linking
from whatsapp_saas.ui.whatsapp.view import tenant_numbers

log = logging.getLogger(__name__)


def feed_token(tenant_id: int) -> str:
    return f"tenant-{tenant_id}"  # no underscores: Reflex refuses them in link tokens


class TenantFeed(rx.SharedState):
    numbers: list[dict[str, str]] = []
    # Inbox: a tick that every open Inbox page watches, the conversations that changed in the
    # latest batch, and who is typing right now. Rows themselves are read per viewer.
    inbox_tick: int = 0
    inbox_changed: list[str] = []
    typing: list[str] = []


async def refresh_numbers(app: rx.App, tenant_id: int) -> None:
    rows = await in_session(lambda s: tenant_numbers(s, tenant_id))
    token = rx.BaseStateToken(ident=feed_token(tenant_id), cls=TenantFeed)
    async with app.modify_state(token) as root:
        feed = await root.get_state(TenantFeed)
        feed.numbers = rows
    await refresh_linking(app, tenant_id)  # QR codes: a managers-only feed


async def bump_inbox(app: rx.App, tenant_id: int, events: list[TenantEvent]) -> None:
    changed = sorted(
        {str(e.payload.get("conversation_id")) for e in events if e.payload.get("conversation_id")}
    )
    token = rx.BaseStateToken(ident=feed_token(tenant_id), cls=TenantFeed)
    async with app.modify_state(token) as root:
        feed = await root.get_state(TenantFeed)
        typing = set(feed.typing)
        for event in events:
            conversation = str(event.payload.get("conversation_id", ""))
            if event.payload.get("kind") == "typing":
                (typing.add if event.payload.get("typing") else typing.discard)(conversation)
            elif event.payload.get("kind") == "message":
                typing.discard(conversation)
        feed.typing = sorted(typing)
        if any(e.payload.get("kind") != "typing" for e in events):
            feed.inbox_changed = changed
            feed.inbox_tick = feed.inbox_tick + 1


async def relay(app: rx.App) -> None:
    """Forever: apply tenant events to the shared feeds. One failure never stops the relay."""
    while True:
        try:
            await _pump(app)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("realtime relay failed; restarting in 1 s")
            await asyncio.sleep(1)


async def _pump(app: rx.App) -> None:
    """Read events into a queue and apply them in batches: a burst of messages becomes one
    update per tenant instead of one per event."""
    queue: asyncio.Queue[TenantEvent] = asyncio.Queue()

    async def read() -> None:
        async for event in get_channel().subscribe():
            queue.put_nowait(event)

    reader = asyncio.create_task(read())
    try:
        while not reader.done():
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            await _apply_batch(app, batch)
        reader.result()
    finally:
        reader.cancel()


async def _apply_batch(app: rx.App, batch: list[TenantEvent]) -> None:
    grouped: dict[tuple[int, str], list[TenantEvent]] = {}
    for event in batch:
        grouped.setdefault((event.tenant_id, event.topic), []).append(event)
    for (tenant_id, topic), events in grouped.items():
        try:
            if topic == "numbers":
                await refresh_numbers(app, tenant_id)
            elif topic == "inbox":
                await bump_inbox(app, tenant_id, events)
        except Exception:
            log.exception("could not refresh %s for tenant %s", topic, tenant_id)
