"""One subscriber per web worker that pushes live inbox updates into its own open tabs.

Each open Inbox registers its tab here (:meth:`InboxHub.register`, from the page's load). For
every batch of tenant events the hub reads the touched rows once, checks in the same
transaction that the tenant's tabs may still receive them, and queues one
:class:`~whatsapp_saas.ui.inbox.live.FeedUpdate` per tab. A small task per tab applies its
queue with ``app.modify_state``: each tab costs one state update and no query, so the work is
linear in viewers. The tab decides in memory what its user may see.

A tab whose socket went away has its queue dropped and its task ended; if it comes back it
reloads once, and if it stays away it is forgotten. Nothing here reads a shared state.

The hub also reports who is online (round-robin prefers them): the user of an inbox that
opens, and once a minute the users of its tabs that still have a socket
(``automations.presence``: at most one write a minute per user).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import reflex as rx
from sqlmodel import Session

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations.presence import PresenceRecorder
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.realtime.channel import Channel
from whatsapp_saas.realtime.events import (
    AccessChanged,
    ContactsChanged,
    ConversationChanged,
    DealsChanged,
    HandoffRequested,
    InboxEvent,
    MembershipChanged,
    MessageAdded,
    MessageChanged,
    NumbersChanged,
    RealtimeEvent,
    TypingChanged,
)
from whatsapp_saas.realtime.sessions import TabSession, refused_tabs
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.inbox.feed_rows import BatchRows, memberships, read_batch
from whatsapp_saas.ui.inbox.live import FeedUpdate, Viewer

log = logging.getLogger(__name__)

INBOX_EVENTS = (ConversationChanged, MessageAdded, MessageChanged, TypingChanged)
# Events for the tenant's shared feeds (the WhatsApp page, boards, contact panels).
SHARED_EVENTS = (NumbersChanged, AccessChanged, DealsChanged, ContactsChanged)
QUEUE_LIMIT = 200  # a tab this far behind reloads instead of replaying
# Each push costs a state update and a delta of the whole list, so a tab is pushed at most
# once per (open tabs x PUSH_BUDGET_S), capped at PUSH_PAUSE_MAX_S: one tab hears at once,
# fifty hear a few times a second, and the worker's pushes per second stay bounded however
# many viewers there are (what queued meanwhile goes in one update).
PUSH_BUDGET_S = 0.003
PUSH_PAUSE_MAX_S = 0.15
FORGET_AFTER_S = 120.0  # a tab whose socket stays away this long is unregistered
PRESENCE_TICK_S = 60.0  # how often the users of the open inboxes are stamped as seen

Applier = Callable[[rx.App, str, list[FeedUpdate], Viewer], Awaitable[str | None]]


@dataclass
class OpenTab:
    token: str
    tenant_id: int
    session_hash: str
    viewer: Viewer
    queue: list[FeedUpdate] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    away_since: float | None = None  # its socket was gone when we last pushed
    pushed_at: float = 0.0  # loop time of its last state update


class InboxHub:
    """The web worker's registry of open inbox tabs, and the pump that feeds them."""

    __name__ = "inbox_hub"  # Reflex names lifespan tasks by it

    def __init__(self, channel: Channel, apply: Applier) -> None:
        self.channel = channel
        self._apply = apply
        self.epoch = uuid.uuid4().hex[:8]
        self._tabs: dict[str, OpenTab] = {}
        self._seq: dict[int, int] = {}
        self._reading: set[tuple[int, str]] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._app: rx.App | None = None
        self.on_other: Callable[[rx.App, int, list[RealtimeEvent]], Awaitable[None]] | None = None
        self.presence = PresenceRecorder()

    @staticmethod
    def of(app: rx.App) -> InboxHub | None:
        """The hub the app's startup registered (it runs as one of its lifespan tasks)."""
        for task in app.get_lifespan_tasks():
            if isinstance(task, InboxHub):
                return task
        return None

    # --- the registry ---------------------------------------------------------------------

    def register(
        self, token: str, user: CurrentUser, session_hash: str, departments: frozenset[int]
    ) -> tuple[str, int]:
        """Open (or re-open) a tab's feed; returns the (epoch, seq) its rows are current at."""
        self.unregister(token)
        self._tabs[token] = OpenTab(token, user.tenant_id, session_hash, Viewer(user, departments))
        return self.epoch, self._seq.get(user.tenant_id, 0)

    def unregister(self, token: str) -> None:
        tab = self._tabs.pop(token, None)
        if tab is not None and tab.task is not None:
            tab.task.cancel()

    def tabs(self, tenant_id: int) -> list[OpenTab]:
        return [tab for tab in self._tabs.values() if tab.tenant_id == tenant_id]

    # --- the pump -------------------------------------------------------------------------

    async def __call__(self, app: rx.App) -> None:
        """Forever (a lifespan task): read the channel and apply it in batches."""
        self._app = app
        presence = asyncio.create_task(self._presence_ticks(app), name="inbox-presence")
        try:
            while True:
                try:
                    await self._pump(app)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("realtime hub failed; restarting in 1 s")
                    await asyncio.sleep(1)
        finally:
            presence.cancel()

    # --- presence ---------------------------------------------------------------------------

    async def _presence_ticks(self, app: rx.App) -> None:
        while True:
            await asyncio.sleep(PRESENCE_TICK_S)
            try:
                users = {
                    (tab.tenant_id, tab.viewer.user.user_id)
                    for tab in list(self._tabs.values())
                    if await _connected(app, tab.token)
                }
                await self._stamp(users)
            except Exception:
                log.info("could not check the open inboxes' sockets; presence not stamped")

    async def seen(self, user: CurrentUser) -> None:
        """An inbox opened: its user is online now (written unless stamped this minute)."""
        await self._stamp({(user.tenant_id, user.user_id)})

    async def _stamp(self, users: set[tuple[int, int]]) -> None:
        if not self.presence.due(users):
            return  # the common case: stamped within the minute, no session opened
        try:
            await in_session(lambda s: self.presence.record(s, users))
        except Exception:
            log.info("could not record who is online; round-robin falls back to everyone")

    async def _pump(self, app: rx.App) -> None:
        queue: asyncio.Queue[RealtimeEvent] = asyncio.Queue()

        async def read() -> None:
            async for event in self.channel.subscribe():
                queue.put_nowait(event)

        reader = asyncio.create_task(read())
        try:
            while not reader.done():
                batch = [await queue.get()]
                while not queue.empty():
                    batch.append(queue.get_nowait())
                await self.handle(app, batch)
            reader.result()
        finally:
            reader.cancel()

    async def handle(self, app: rx.App, batch: list[RealtimeEvent]) -> None:
        by_tenant: dict[int, list[RealtimeEvent]] = {}
        for event in batch:
            by_tenant.setdefault(event.tenant_id, []).append(event)
        for tenant_id, events in by_tenant.items():
            try:
                other = [e for e in events if isinstance(e, SHARED_EVENTS)]
                if other and self.on_other is not None:
                    await self.on_other(app, tenant_id, other)
                await self._feed_tenant(app, tenant_id, events)
            except Exception:
                log.exception("could not push live updates to tenant %s", tenant_id)

    async def _feed_tenant(self, app: rx.App, tenant_id: int, events: list[RealtimeEvent]) -> None:
        tabs = self.tabs(tenant_id)
        inbox_events: list[InboxEvent] = [e for e in events if isinstance(e, INBOX_EVENTS)]
        recheck = any(isinstance(e, AccessChanged | MembershipChanged) for e in events)
        handoffs = [e for e in events if isinstance(e, HandoffRequested)]
        if not tabs or not (inbox_events or recheck or handoffs):
            return
        await self._forget_away(app, tabs)
        tabs = self.tabs(tenant_id)
        also = {e.conversation_id for e in handoffs}
        read = await in_session(lambda s: _read(s, tenant_id, inbox_events, tabs, recheck, also))
        for token in read.refused:
            self.unregister(token)  # signed out, expired, disabled or re-roled: no more pushes
        moved = {e.user_id for e in events if isinstance(e, MembershipChanged)}
        for tab in self.tabs(tenant_id):
            if tab.viewer.user.user_id in read.departments:
                departments = read.departments[tab.viewer.user.user_id]
                tab.viewer = Viewer(tab.viewer.user, departments)
            if tab.viewer.user.user_id in moved:
                # What they may see changed beyond this batch's rows: reload once.
                self._enqueue(app, tab, self._resync_marker(tenant_id))
        if inbox_events:
            self._seq[tenant_id] = seq = self._seq.get(tenant_id, 0) + 1
            update = FeedUpdate(
                self.epoch,
                seq,
                read.rows,
                typing=tuple(
                    (str(e.conversation_id), e.typing)
                    for e in inbox_events
                    if isinstance(e, TypingChanged)
                ),
                added=frozenset(
                    str(e.conversation_id) for e in inbox_events if isinstance(e, MessageAdded)
                ),
            )
            for tab in self.tabs(tenant_id):
                self._enqueue(app, tab, update)
        for handoff in handoffs:
            self._alert_handoff(app, tenant_id, handoff, read.rows)

    def _alert_handoff(
        self, app: rx.App, tenant_id: int, event: HandoffRequested, rows: BatchRows
    ) -> None:
        """Only the tabs of the users it names, and only if they may see the conversation."""
        snap = rows.conversations.get(str(event.conversation_id))
        if snap is None:
            return
        alert = (snap.id, snap.row.get("title", ""))
        for tab in self.tabs(tenant_id):
            if tab.viewer.user.user_id in event.user_ids and tab.viewer.may_see(snap):
                seq = self._seq.get(tenant_id, 0)
                self._enqueue(
                    app, tab, FeedUpdate(self.epoch, seq, BatchRows({}, ()), handoff=alert)
                )

    async def _forget_away(self, app: rx.App, tabs: list[OpenTab]) -> None:
        """Tabs whose socket went away: resync the ones back, forget the long gone."""
        now = time.monotonic()
        for tab in tabs:
            if tab.away_since is None:
                continue
            if await _connected(app, tab.token):
                tab.away_since = None
                self._enqueue(app, tab, self._resync_marker(tab.tenant_id))
            elif now - tab.away_since > FORGET_AFTER_S:
                self.unregister(tab.token)

    def _resync_marker(self, tenant_id: int) -> FeedUpdate:
        """Reload, and count on from the tenant's current sequence number."""
        return FeedUpdate(self.epoch, self._seq.get(tenant_id, 0), BatchRows({}, ()), resync=True)

    def _enqueue(self, app: rx.App, tab: OpenTab, update: FeedUpdate) -> None:
        if tab.away_since is not None:
            return  # its queue was dropped; it reloads once it is back
        if len(tab.queue) >= QUEUE_LIMIT:
            tab.queue = [FeedUpdate(self.epoch, update.seq, BatchRows({}, ()), resync=True)]
        else:
            tab.queue.append(update)
        tab.wake.set()
        if tab.task is None or tab.task.done():
            tab.task = asyncio.create_task(self._drain(app, tab), name=f"inbox-tab-{tab.token[:8]}")

    async def _drain(self, app: rx.App, tab: OpenTab) -> None:
        """The tab's own task: apply what queued up, in one state update per wake-up."""
        loop = asyncio.get_running_loop()
        while self._tabs.get(tab.token) is tab:
            await tab.wake.wait()
            pause = tab.pushed_at + self.push_interval() - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)  # let this tab's updates gather into one push
            tab.wake.clear()
            tab.pushed_at = loop.time()
            updates, tab.queue = tab.queue, []
            if not updates:
                continue
            if not await _connected(app, tab.token):
                tab.away_since = time.monotonic()  # drop its queue: it reloads when back
                return
            try:
                wants_read = await self._apply(app, tab.token, updates, tab.viewer)
            except Exception:
                log.exception("could not push a live update to tab %s", tab.token[:8])
                continue
            if wants_read:
                self._mark_read(tab, wants_read)

    def push_interval(self) -> float:
        return min(PUSH_PAUSE_MAX_S, len(self._tabs) * PUSH_BUDGET_S)

    def _mark_read(self, tab: OpenTab, conversation_id: str) -> None:
        """The open chat got a message while someone looks at it: mark it read, once for all
        the tabs that have it open (not once per tab)."""
        key = (tab.tenant_id, conversation_id)
        if key in self._reading:
            return
        self._reading.add(key)
        user = tab.viewer.user

        async def run() -> None:
            try:
                await in_session(
                    lambda s: inbox.mark_read(
                        TenantScope(s, user.tenant_id),
                        actor=user,
                        conversation_id=int(conversation_id),
                    )
                )
            except Exception:
                log.info("could not mark conversation %s read", conversation_id)
            finally:
                self._reading.discard(key)

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)


@dataclass
class _Read:
    rows: BatchRows
    refused: set[str]
    departments: dict[int, frozenset[int]]


def _read(
    session: Session,
    tenant_id: int,
    events: list[InboxEvent],
    tabs: list[OpenTab],
    recheck: bool,
    also: set[int] | None = None,
) -> _Read:
    """The one unit of work per batch: rows, who may still receive them, their departments.

    ``also``: conversations to read beyond the events' (the hand-over alerts' titles)."""
    conversations = {e.conversation_id for e in events if isinstance(e, INBOX_EVENTS)}
    conversations |= also or set()
    messages = {e.message_id for e in events if isinstance(e, MessageAdded | MessageChanged)}
    locales = {tab.viewer.locale for tab in tabs}
    rows = read_batch(session, tenant_id, conversations, messages, locales)
    sessions = [TabSession(t.token, t.session_hash, t.viewer.user.role) for t in tabs]
    refused = refused_tabs(session, tenant_id=tenant_id, tabs=sessions)
    users = {t.viewer.user.user_id for t in tabs} if recheck else set()
    return _Read(rows, refused, memberships(session, tenant_id, users))


async def _connected(app: rx.App, token: str) -> bool:
    namespace = app.event_namespace
    return namespace is not None and await namespace._token_manager.is_token_connected(token)


def current_hub() -> InboxHub | None:
    """The hub of the app that is handling the current event (None outside one)."""
    from reflex_base.registry import RegistrationContext

    try:
        app = RegistrationContext.get().app
    except Exception:
        return None
    return InboxHub.of(app)
