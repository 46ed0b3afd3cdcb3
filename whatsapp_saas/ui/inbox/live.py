"""Applying a batch of live updates to what one open inbox shows, in memory.

Who may see a conversation follows :mod:`whatsapp_saas.inbox.access` (managers everything;
agents theirs, their departments' and the unclaimed ones), decided from the snapshot's fields
and the viewer's departments as the web worker keeps them, never from a query per viewer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.ui.inbox.feed_rows import BatchRows, ConversationSnapshot, Locale


@dataclass(frozen=True)
class Viewer:
    """An open inbox's user as the web worker keeps it in memory."""

    user: CurrentUser
    departments: frozenset[int] = frozenset()

    @property
    def locale(self) -> Locale:
        return (self.user.timezone, self.user.language)

    def may_see(self, snap: ConversationSnapshot) -> bool:
        if self.user.is_manager:
            return True
        if snap.assignee_id == self.user.user_id:
            return True
        if snap.department_id is not None and snap.department_id in self.departments:
            return True
        return snap.assignee_id is None and snap.department_id is None


@dataclass(frozen=True)
class Filters:
    which: str = "all"
    status: str = ""
    number_id: str = ""
    department_id: str = ""
    search: str = ""
    # A conversation-tag filter is not in the snapshot: like a search, it only updates the
    # rows already shown (new ones come with the next reload).
    tag_id: str = ""

    def admit(self, snap: ConversationSnapshot, viewer: Viewer) -> bool:
        if self.which == "mine" and snap.assignee_id != viewer.user.user_id:
            return False
        if self.which == "unassigned" and snap.assignee_id is not None:
            return False
        if self.status and snap.status != self.status:
            return False
        if self.number_id and str(snap.number_id) != self.number_id:
            return False
        return not self.department_id or str(snap.department_id or "") == self.department_id


@dataclass(frozen=True)
class FeedUpdate:
    """One batch for one tenant, as the web worker hands it to each open inbox.

    ``seq`` counts the worker's batches for the tenant; a tab that sees a gap (its queue was
    dropped) reloads instead. ``resync`` asks for that reload outright."""

    epoch: str
    seq: int
    rows: BatchRows
    typing: tuple[tuple[str, bool], ...] = ()
    added: frozenset[str] = frozenset()  # conversations that got a new message
    resync: bool = False
    # An alert for this tab alone, outside the sequence: (conversation id, contact's name)
    # of a customer handed to a person (realtime.events.HandoffRequested).
    handoff: tuple[str, str] | None = None


@dataclass
class ListView:
    rows: list[dict[str, str]]
    cursor: str
    limit: int
    changed: bool = False


def _key(row: dict[str, str]) -> tuple[float, int]:
    return (_timestamp(row.get("at") or ""), int(row["id"]))


@functools.lru_cache(maxsize=8192)
def _timestamp(at: str) -> float:
    """Parsed once per distinct time: every open inbox sorts the same rows on every update."""
    return datetime.fromisoformat(at).timestamp() if at else 0.0


def merge_list(
    view: ListView, snaps: Iterable[ConversationSnapshot], viewer: Viewer, filters: Filters
) -> ListView:
    """The list with each snapshot put in (or taken out of) its place, newest activity first."""
    rows = {row["id"]: row for row in view.rows}
    floor = _key(view.rows[-1]) if view.cursor and view.rows else None
    changed = False
    for snap in snaps:
        shown = snap.id in rows
        wanted = viewer.may_see(snap) and filters.admit(snap, viewer)
        if wanted and (shown or not (filters.search or filters.tag_id)):
            # A row older than the last one shown belongs to a page not loaded yet.
            if shown or floor is None or _key(snap.row) > floor:
                changed = changed or rows.get(snap.id) != snap.row
                rows[snap.id] = snap.row
        elif shown and not wanted:
            del rows[snap.id]
            changed = True
    if not changed:
        return view
    ordered = sorted(rows.values(), key=_key, reverse=True)
    cursor = view.cursor
    if len(ordered) > view.limit:
        ordered = ordered[: view.limit]
        cursor = f"{ordered[-1]['at']}|{ordered[-1]['id']}"
    return ListView(ordered, cursor, view.limit, True)


@dataclass
class ChatChange:
    messages: list[dict[str, Any]]
    header: dict[str, str] | None = None  # None: unchanged
    gone: bool = False  # the open conversation is no longer the viewer's to see
    added_inbound: bool = False
    unread: int = 0
    changed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def merge_chat(
    selected: str, messages: list[dict[str, Any]], rows: BatchRows, viewer: Viewer
) -> ChatChange:
    """The open chat with the batch's messages appended or replaced in place."""
    change = ChatChange(messages)
    snap = rows.conversations.get(selected)
    if not selected or snap is None:
        return change
    if not viewer.may_see(snap):
        return ChatChange([], gone=True, changed=True)
    change.header, change.unread = snap.header, snap.unread
    index = {m["id"]: i for i, m in enumerate(messages)}
    merged = list(messages)
    for message in rows.messages:
        if message.conversation_id != selected:
            continue
        row = message.rows.get(viewer.locale)
        if row is None:
            continue
        if message.id in index:
            merged[index[message.id]] = row
        else:
            merged.append(row)
            index[message.id] = len(merged) - 1
            change.added_inbound = change.added_inbound or message.inbound
        change.changed = True
    change.messages = merged
    return change


def typing_after(typing: list[str], update: FeedUpdate, viewer: Viewer) -> list[str]:
    """Who is typing, among the conversations the viewer may see; a new message ends it."""
    now = set(typing)
    for conversation_id, on in update.typing:
        snap = update.rows.conversations.get(conversation_id)
        if on and snap is not None and viewer.may_see(snap):
            now.add(conversation_id)
        else:
            now.discard(conversation_id)
    now -= update.added
    return sorted(now)
