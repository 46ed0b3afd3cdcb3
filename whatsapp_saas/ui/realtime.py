"""Live updates of the WhatsApp page: a SharedState per tenant, fed by the tenant event channel.

Each browser links its ``TenantFeed`` to ``tenant-<id>`` (derived server-side from the signed-in
user). The relay task reloads the affected view from the database — the one truth — and
writes it into the shared state, which Reflex pushes to every linked browser.

Reflex pushes to every tab in the shared state's ``_linked_from`` and never prunes it. So before
each write the relay checks the tenant's linked tabs (:func:`prune_feed`): a tab whose session
was signed out, revoked or expired, whose user was disabled or given another role, is unlinked
for good; a tab whose websocket went away is dropped from the fan-out, and links again when it
reconnects (its hydrate event patches the link back in). Signing out unlinks the tab at once
(:func:`leave_feed`); disabling a user or changing a role re-checks the tenant's tabs at once
(:class:`~whatsapp_saas.realtime.events.AccessChanged`). The inbox's own live updates go through
:mod:`whatsapp_saas.ui.inbox.hub`, which applies the same rule to its tabs.
"""

from __future__ import annotations

import contextlib
import logging

import reflex as rx

from whatsapp_saas.realtime.events import (
    ContactsChanged,
    DealsChanged,
    NumbersChanged,
    RealtimeEvent,
)
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
    # The WhatsApp page's numbers. The Inbox does not use a shared state: its updates are
    # pushed tab by tab (ui.inbox.hub), since reading a shared state from each tab's handler
    # fans its last change out to every other tab (N² deltas).
    numbers: list[dict[str, str]] = []
    # Pipeline boards: a tick and the stage/pipeline/contact keys of the latest batch (rare
    # writes: a person moving a card).
    deals_tick: int = 0
    deals_changed: list[str] = []
    # Contact panels and profile pages: a tick and the ids of the contacts the latest batch
    # changed. A tab compares them with the contact it shows in the browser, so only the tabs
    # showing one of them call back and reload it.
    contacts_tick: int = 0
    contacts_changed: list[str] = []


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
    refused = await in_session(lambda s: refused_tabs(s, tenant_id=tenant_id, tabs=tabs))
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


async def stop_inbox_feed(state: rx.State) -> None:
    """Sign-out: the tab's inbox gets no more pushes from this worker."""
    from whatsapp_saas.ui.inbox.hub import current_hub

    hub = current_hub()
    if hub is not None:
        hub.unregister(state.router.session.client_token)


async def refresh_numbers(app: rx.App, tenant_id: int) -> None:
    rows = await in_session(lambda s: tenant_numbers(s, tenant_id))
    async with _modify_feed(app, tenant_id) as feed:
        feed.numbers = rows
    await refresh_linking(app, tenant_id)  # QR codes: a managers-only feed


async def shared_feeds_changed(app: rx.App, tenant_id: int, events: list[RealtimeEvent]) -> None:
    """Numbers and access changes, for the WhatsApp page's shared feeds (rare writes).

    Every write is preceded by a check of who may still receive it; an access change alone
    re-checks at once, so a disabled user's tab leaves the feeds without waiting for one."""
    try:
        await prune_feed(app, tenant_id)
    except Exception:
        # Fail closed: pages catch up from the database on their next load.
        log.exception("could not check the open tabs of tenant %s; updates held", tenant_id)
        return
    if any(isinstance(event, NumbersChanged) for event in events):
        await refresh_numbers(app, tenant_id)
    deals = [event for event in events if isinstance(event, DealsChanged)]
    if deals:
        async with _modify_feed(app, tenant_id) as feed:
            apply_deal_events(feed, deals)
    contacts = sorted({str(e.contact_id) for e in events if isinstance(e, ContactsChanged)})
    if contacts:
        async with _modify_feed(app, tenant_id) as feed:
            feed.contacts_changed = contacts
            feed.contacts_tick = feed.contacts_tick + 1
