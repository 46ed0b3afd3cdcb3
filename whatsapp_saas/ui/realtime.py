"""Live updates: a SharedState per tenant, fed by the tenant event channel.

Each browser links its ``TenantFeed`` to ``tenant-<id>`` (derived server-side from the signed-in
user). The relay task reloads the affected view from the database — the one truth — and
writes it into the shared state, which Reflex pushes to every linked browser.

Reflex pushes to every tab in the shared state's ``_linked_from`` and never prunes it. So before
each write the relay checks the tenant's linked tabs (:func:`prune_feed`): a tab whose session
was signed out, revoked or expired, whose user was disabled or given another role, is unlinked
for good; a tab whose websocket went away is dropped from the fan-out, and links again when it
reconnects (its hydrate event patches the link back in). Signing out unlinks the tab at once
(:func:`leave_feed`); disabling a user or changing a role re-checks the tenant's tabs at once
(the ``access`` topic).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import reflex as rx

from whatsapp_saas.realtime.channel import TenantEvent, get_channel
from whatsapp_saas.realtime.sessions import TabSession, refused_tabs
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.pipeline.live import apply_deal_events
from whatsapp_saas.ui.shared_feed import drop_tabs, leave, linked_tabs, modify_shared, unlink_tab
from whatsapp_saas.ui.whatsapp.linking import LinkingFeed, linking_token, refresh_linking
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
    # Pipeline boards: a tick and the stage/pipeline/contact keys of the latest batch.
    deals_tick: int = 0
    deals_changed: list[str] = []


def _modify_feed(app: rx.App, tenant_id: int) -> contextlib.AbstractAsyncContextManager[TenantFeed]:
    """Write a tenant's shared feed; Reflex fans the change out to the linked tabs."""
    return modify_shared(app, feed_token(tenant_id), TenantFeed)


async def _read_tab(app: rx.App, client_token: str) -> TabSession:
    root = await app.state_manager.get_state(rx.BaseStateToken(ident=client_token, cls=AppState))
    tab = await root.get_state(AppState)
    return TabSession(client_token, tab._session_ref() or "", tab.role)


async def _connected(app: rx.App, client_token: str) -> bool:
    namespace = app.event_namespace
    return namespace is not None and await namespace._token_manager.is_token_connected(client_token)


async def prune_feed(app: rx.App, tenant_id: int) -> set[str]:
    """Check every tab linked to the tenant's feeds; unlink the refused, drop the gone.

    The managers' QR feed gets the same treatment, so a manager who signs out, is disabled or
    is made an agent stops receiving QR codes too. Costs one query for all the tenant's tabs,
    plus one state read per tab. Returns the client tokens taken out of the fan-out.
    """
    feeds = ((feed_token(tenant_id), TenantFeed), (linking_token(tenant_id), LinkingFeed))
    linked = {ident: await linked_tabs(app, ident, cls) for ident, cls in feeds}
    every = set().union(*linked.values())
    if not every:
        return set()
    tabs = [await _read_tab(app, token) for token in sorted(every)]
    refused = await in_session(lambda s: refused_tabs(s, tenant_id, tabs))
    gone = {token for token in every - refused if not await _connected(app, token)}
    for ident, cls in feeds:
        for token in sorted(refused & linked[ident]):
            await unlink_tab(app, token, cls)
        await drop_tabs(app, ident, cls, (refused | gone) & linked[ident])
    return refused | gone


async def leave_feed(state: rx.State) -> None:
    """Stop this tab's live tenant updates and QR codes now (sign-out), from its own event."""
    await leave(state, TenantFeed)
    await leave(state, LinkingFeed)


async def refresh_numbers(app: rx.App, tenant_id: int) -> None:
    rows = await in_session(lambda s: tenant_numbers(s, tenant_id))
    async with _modify_feed(app, tenant_id) as feed:
        feed.numbers = rows
    await refresh_linking(app, tenant_id)  # QR codes: a managers-only feed


async def bump_inbox(app: rx.App, tenant_id: int, events: list[TenantEvent]) -> None:
    changed = sorted(
        {str(e.payload.get("conversation_id")) for e in events if e.payload.get("conversation_id")}
    )
    async with _modify_feed(app, tenant_id) as feed:
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
    unchecked: set[int] = set()
    for tenant_id in sorted({tenant for tenant, _topic in grouped}):
        try:
            # Every live update is preceded by a check of who may still receive it.
            await prune_feed(app, tenant_id)
        except Exception:
            log.exception("could not check the open tabs of tenant %s; updates held", tenant_id)
            unchecked.add(tenant_id)
    for (tenant_id, topic), events in grouped.items():
        if tenant_id in unchecked:
            continue  # fail closed: pages catch up from the database on their next load
        try:
            if topic == "numbers":
                await refresh_numbers(app, tenant_id)
            elif topic == "inbox":
                await bump_inbox(app, tenant_id, events)
            elif topic == "deals":
                async with _modify_feed(app, tenant_id) as feed:
                    apply_deal_events(feed, [e.payload for e in events])
        except Exception:
            log.exception("could not refresh %s for tenant %s", topic, tenant_id)
