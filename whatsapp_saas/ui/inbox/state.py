"""Inbox page state: the viewer's conversation list, the open chat and the composer.

Live updates are pushed in by the web worker's :class:`~whatsapp_saas.ui.inbox.hub.InboxHub`,
which this page registers with on load. Each push carries rows read once for all the tenant's
viewers; :meth:`InboxState._apply_feed` keeps what this viewer may see and shows (in memory, no
query), and reloads from the database only when it missed updates (a dropped queue, a gap in
the sequence, a socket that came back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import tags as crm_tags
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.inbox import loaders
from whatsapp_saas.ui.inbox.feed_rows import memberships
from whatsapp_saas.ui.inbox.hub import current_hub
from whatsapp_saas.ui.inbox.live import (
    FeedUpdate,
    Filters,
    ListView,
    Viewer,
    merge_chat,
    merge_list,
    typing_after,
)
from whatsapp_saas.ui.inbox.views import merge_reload
from whatsapp_saas.ui.realtime import leave_feed

LIST_PAGE = 30


class InboxState(AppState):
    list_filter: str = "all"
    status_filter: str = ""
    number_filter: str = ""
    department_filter: str = ""
    tag_filter: str = ""
    search: str = ""
    conversations: list[dict[str, str]] = []
    next_cursor: str = ""
    numbers: list[dict[str, str]] = []
    agents: list[dict[str, str]] = []
    departments: list[dict[str, str]] = []
    # The tenant's tags (id, name, colour), and those on the open conversation.
    tag_options: list[dict[str, str]] = []
    conversation_tag_ids: list[str] = []
    selected_id: str = ""
    header: dict[str, str] = {}
    messages: list[dict[str, Any]] = []
    # On a phone the inbox shows one pane at a time: "list", "chat" or "contact".
    pane: str = "list"
    older_cursor: str = ""
    error: str = ""
    # Shared with assets/notify.js, which reads the same localStorage key.
    notify_pref: str = rx.LocalStorage("on", name="wa_notify", sync=True)
    # Conversations whose customer is typing (only ones this viewer may see).
    typing: list[str] = []
    # A new-message alert for assets/notify.js, which watches the element that carries it.
    notify_json: str = ""
    # "Customer waiting for a human": the latest hand-over alert for this viewer (ui.inbox.handoff).
    handoff: dict[str, str] = {}
    # Bumped when the open conversation changed: the plans panel reloads on it.
    plans_tick: int = 0
    _shown: int = LIST_PAGE
    _unread_seen: int = -1
    _feed_epoch: str = ""
    _feed_seq: int = 0
    _handoffs: int = 0

    # --- loading --------------------------------------------------------------------------

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        user = await self._user()
        if user is None:
            return None
        # The numbers feed and QR codes belong to the WhatsApp page; here they would only cost.
        await leave_feed(self)
        await self._follow_feed(user)
        found = await in_session(lambda s: loaders.lookups(s, user))
        self.numbers, self.agents, self.departments = found.numbers, found.agents, found.departments
        self.tag_options = found.tags
        self._shown, self.error = LIST_PAGE, ""
        await self._reload_list(user)
        wanted = self.router.url.query_parameters.get("c", "") or self.selected_id
        self.pane = "chat" if wanted else "list"
        if wanted:
            await self._open(user, wanted)
        return None

    async def _follow_feed(self, user: CurrentUser) -> None:
        hub = current_hub()
        if hub is None:
            return
        ref = self._session_ref() or ""
        departments = await in_session(lambda s: memberships(s, user.tenant_id, [user.user_id]))
        token = self.router.session.client_token
        self._feed_epoch, self._feed_seq = hub.register(
            token, user, ref, departments.get(user.user_id, frozenset())
        )
        await hub.seen(user)  # round-robin prefers who is online (automations.presence)

    async def _user(self) -> CurrentUser | None:
        user = await self._current_user()
        if user is None:
            self._forget()
        return user

    def _query(self, limit: int) -> loaders.ListQuery:
        return loaders.ListQuery(
            self.list_filter,
            self.status_filter,
            self.number_filter,
            self.department_filter,
            self.search,
            limit,
            self.tag_filter,
        )

    async def _reload_list(self, user: CurrentUser) -> None:
        query = self._query(min(self._shown, 100))
        rows, cursor = await in_session(lambda s: loaders.conversation_list(s, user, query))
        self.conversations, self.next_cursor = rows, cursor

    async def _reload_chat(self, user: CurrentUser, *, keep_older: bool = True) -> None:
        conversation_id = int(self.selected_id)
        view = await in_session(lambda s: loaders.chat(s, user, conversation_id))
        self.header, self.conversation_tag_ids = view.header, view.tag_ids
        if keep_older and self.messages:
            # A live update of the same chat: keep the older pages the attendant scrolled to.
            kept = merge_reload(self.messages, view.messages)
            if len(kept) > len(view.messages):
                self.messages = kept
                return
        self.messages, self.older_cursor = view.messages, view.older

    async def _open(self, user: CurrentUser, conversation_id: str) -> None:
        same = conversation_id == self.selected_id
        self.selected_id = conversation_id
        try:
            await self._reload_chat(user, keep_older=same)
            if self._unread_of(conversation_id):
                await in_session(
                    lambda s: inbox.mark_read(
                        TenantScope(s, user.tenant_id),
                        actor=user,
                        conversation_id=int(conversation_id),
                    )
                )
        except (NotFound, ValueError):
            self.selected_id, self.header, self.messages = "", {}, []
            self.pane = "list"
            self.error = self._tr("error.not_found")

    def _unread_of(self, conversation_id: str) -> int:
        """Unread count as the list shows it; when the row is not listed, assume some.

        Marking read writes and announces, which ticks every open inbox again: skip it when
        there is nothing to mark.
        """
        for row in self.conversations:
            if row["id"] == conversation_id:
                return int(row["unread"] or 0)
        return 1

    # --- live updates (pushed by the hub; not browser-callable) ------------------------------

    async def _apply_feed(self, updates: list[FeedUpdate], viewer: Viewer) -> str | None:
        """Apply pushed updates; returns the open conversation when it should be marked read."""
        wants_read: str | None = None
        for update in updates:
            if update.handoff is not None:  # a tab's own alert, outside the sequence
                self._alert_handoff(*update.handoff)
                continue
            behind = update.epoch != self._feed_epoch or update.seq != self._feed_seq + 1
            if update.resync or behind:
                await self._resync(viewer.user)
                self._feed_epoch, self._feed_seq = update.epoch, update.seq
                continue
            self._feed_seq = update.seq
            wants_read = self._apply_update(update, viewer) or wants_read
        self._alert()
        return wants_read

    def _apply_update(self, update: FeedUpdate, viewer: Viewer) -> str | None:
        filters = Filters(
            self.list_filter,
            self.status_filter,
            self.number_filter,
            self.department_filter,
            self.search,
            self.tag_filter,
        )
        # The raw lists, not Reflex's proxies: a proxy wraps every row it hands out, which
        # was the largest cost of a live update at 50 open inboxes. Nothing here mutates them.
        rows, messages = self.get_value("conversations"), self.get_value("messages")
        view = ListView(rows, self.next_cursor, min(self._shown, 100))
        merged = merge_list(view, update.rows.conversations.values(), viewer, filters)
        if merged.changed:
            self.conversations, self.next_cursor = merged.rows, merged.cursor
        typing = typing_after(self.typing, update, viewer)
        if typing != self.typing:
            self.typing = typing
        chat = merge_chat(self.selected_id, messages, update.rows, viewer)
        if chat.gone:
            self.selected_id, self.header, self.messages, self.pane = "", {}, [], "list"
            return None
        if chat.header is not None and chat.header != self.header:
            self.header = chat.header
        if chat.changed:
            self.messages = chat.messages
        if self.selected_id and self.selected_id in update.rows.conversations:
            self.plans_tick += 1
        return self.selected_id if chat.added_inbound and chat.unread else None

    async def _resync(self, user: CurrentUser) -> None:
        """Missed updates: read what this tab shows again, once."""
        await self._reload_list(user)
        if self.selected_id:
            try:
                await self._reload_chat(user)
            except (NotFound, ValueError):
                self.selected_id, self.header, self.messages, self.pane = "", {}, [], "list"

    def _alert(self) -> None:
        # The list already holds the counts: no extra query per update per open inbox.
        rows = self.get_value("conversations")  # raw: read only
        total = sum(int(row["unread"] or 0) for row in rows)
        grew, self._unread_seen = self._unread_seen >= 0 and total > self._unread_seen, total
        if not grew or not rows:
            return
        top = rows[0]
        payload = {
            "unread": total,
            "title": self._tr("ibx.new_message", name=top["title"]),
            "body": top["preview"],
            "n": self._unread_seen,
        }
        self.notify_json = _js(payload)

    def _alert_handoff(self, conversation_id: str, name: str) -> None:
        text = self._tr("ibx.handoff_alert", name=name)
        self.handoff = {"id": conversation_id, "text": text}
        self._handoffs += 1
        unread = max(self._unread_seen, 0)
        self.notify_json = _js({"unread": unread, "title": text, "n": f"handoff-{self._handoffs}"})

    @rx.event
    def dismiss_handoff(self) -> None:
        self.handoff = {}

    @rx.event
    async def open_handoff(self) -> None:
        """Open the conversation the alert names, and put the alert away."""
        conversation_id, self.handoff = self.handoff.get("id", ""), {}
        if conversation_id:
            await self.select(conversation_id)

    @rx.event
    def set_notifications(self, enabled: bool):  # type: ignore[no-untyped-def]
        self.notify_pref = "on" if enabled else "off"
        return rx.call_script(f"window.waNotifyEnable && window.waNotifyEnable({_js(enabled)})")

    # --- list -----------------------------------------------------------------------------

    @rx.event
    async def set_list_filter(self, value: str) -> None:
        self.list_filter = value
        await self._refilter()

    @rx.event
    async def set_status_filter(self, value: str) -> None:
        self.status_filter = value
        await self._refilter()

    @rx.event
    async def set_number_filter(self, value: str) -> None:
        self.number_filter = value
        await self._refilter()

    @rx.event
    async def set_department_filter(self, value: str) -> None:
        self.department_filter = value
        await self._refilter()

    @rx.event
    async def set_tag_filter(self, value: str) -> None:
        self.tag_filter = value if value.isdigit() else ""
        await self._refilter()

    @rx.event
    async def run_search(self, form: dict[str, Any]) -> None:
        self.search = str(form.get("q", "")).strip()
        await self._refilter()

    async def _refilter(self) -> None:
        self._shown = LIST_PAGE
        user = await self._user()
        if user is not None:
            await self._reload_list(user)

    @rx.event
    async def load_more(self) -> None:
        if not self.next_cursor:
            return
        self._shown = min(self._shown + LIST_PAGE, 100 * 10)
        user = await self._user()
        if user is None:
            return
        query, cursor = self._query(LIST_PAGE), self.next_cursor
        rows, nxt = await in_session(lambda s: loaders.conversation_list(s, user, query, cursor))
        self.conversations, self.next_cursor = self.conversations + rows, nxt

    @rx.event
    async def select(self, conversation_id: str) -> None:
        user = await self._user()
        if user is not None:
            self.error = ""
            self.pane = "chat"
            await self._open(user, conversation_id)

    @rx.event
    def show_pane(self, pane: str) -> None:
        """The phone layout's back and contact buttons (the wide layout shows all panes)."""
        self.pane = pane if pane in ("list", "chat", "contact") else "list"

    @rx.event
    async def load_older(self) -> None:
        user = await self._user()
        if user is None or not self.older_cursor or not self.selected_id:
            return
        conversation_id, before = int(self.selected_id), int(self.older_cursor)
        view = await in_session(lambda s: loaders.chat(s, user, conversation_id, before))
        self.messages, self.older_cursor = view.messages + self.messages, view.older

    # --- changes --------------------------------------------------------------------------

    async def _act(self, work: Callable[[TenantScope, CurrentUser], Any]) -> bool:
        """Run a change on the open conversation; show a translated error if refused."""
        outcome = await act(self, work)
        self.error = outcome.error
        user = await self._user() if outcome.ok else None
        if user is not None:
            await self._reload_list(user)
            if self.selected_id:
                await self._reload_chat(user)
        return outcome.ok

    def _conversation_id(self) -> int:
        return int(self.selected_id or 0)

    @rx.event
    async def assign_to_me(self) -> None:
        cid = self._conversation_id()
        await self._act(lambda scope, me: inbox.assign_to_me(scope, actor=me, conversation_id=cid))

    @rx.event
    async def transfer_to_agent(self, user_id: str) -> None:
        cid, dept = self._conversation_id(), self.header.get("department_id") or None
        await self._act(
            lambda scope, me: inbox.transfer(
                scope,
                actor=me,
                conversation_id=cid,
                department_id=int(dept) if dept else None,
                user_id=int(user_id) if user_id else None,
            )
        )

    @rx.event
    async def transfer_to_department(self, department_id: str) -> None:
        cid = self._conversation_id()
        await self._act(
            lambda scope, me: inbox.transfer(
                scope,
                actor=me,
                conversation_id=cid,
                department_id=int(department_id) if department_id else None,
            )
        )

    @rx.event
    async def resolve(self) -> None:
        cid = self._conversation_id()
        await self._act(lambda scope, me: inbox.resolve(scope, actor=me, conversation_id=cid))

    @rx.event
    async def reopen(self) -> None:
        cid = self._conversation_id()
        await self._act(lambda scope, me: inbox.reopen(scope, actor=me, conversation_id=cid))

    @rx.event
    async def toggle_conversation_tag(self, tag_id: str) -> None:
        """Put a tenant tag on the open conversation, or take it off."""
        if not str(tag_id).isdigit():
            return
        cid, current = self._conversation_id(), list(self.conversation_tag_ids)
        wanted = [t for t in current if t != tag_id] if tag_id in current else [*current, tag_id]
        await self._act(
            lambda scope, me: crm_tags.set_conversation_tags(
                scope, actor=me, conversation_id=cid, tag_ids=[int(t) for t in wanted]
            )
        )

    @rx.event
    async def retry(self, message_id: str) -> None:
        await self._act(
            lambda scope, me: inbox.retry_failed(scope, actor=me, message_id=int(message_id))
        )

    @rx.event
    async def retry_media(self, message_id: str) -> None:
        await self._act(
            lambda scope, me: inbox.retry_media(scope, actor=me, message_id=int(message_id))
        )


def _js(value: object) -> str:
    import json

    return json.dumps(value)


async def push_to_tab(
    app: rx.App, token: str, updates: list[FeedUpdate], viewer: Viewer
) -> str | None:
    """Apply live updates to one open inbox; Reflex sends that tab the delta (and only it)."""
    async with app.modify_state(rx.BaseStateToken(ident=token, cls=InboxState)) as root:
        state = await root.get_state(InboxState)
        return await state._apply_feed(updates, viewer)
