"""Conversation rows at the SQL level: find-or-create many at once, bump cached counters.

Counters are bumped with relative SQL (``unread_count = unread_count + n``) rather than
read-modify-write, so two managers storing messages for the same thread never lose an update.

The events say what happened to each row: a conversation this transaction created is
:class:`ConversationOpened` (``change="created"``), one a customer's message took out of
``resolved`` is :class:`ConversationOpened` (``change="status"``), the rest a plain
:class:`ConversationUpdated` (``change="message"``). Which rows were created comes from the
insert's RETURNING, which were reopened from the status the row had under the update's lock,
so two managers racing on one thread never both claim to have opened it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.db.sqlutil import insert_ignore
from whatsapp_saas.inbox.events import ConversationChange, ConversationUpdated, conversation_changed
from whatsapp_saas.inbox.models import Conversation, ConversationStatus
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

CONVERSATIONS: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
ConversationKey = tuple[int, int]  # (number_id, contact_id)
EVENT_COLUMNS = (
    "id",
    "tenant_id",
    "number_id",
    "contact_id",
    "status",
    "assignee_id",
    "department_id",
    "unread_count",
    "last_message_at",
    "last_message_preview",
)


def find_or_create(
    scope: TenantScope, *, first_seen: Mapping[ConversationKey, datetime]
) -> dict[ConversationKey, int]:
    """The conversation id for each (number, contact); missing ones are created (race-safe)."""
    return find_or_create_many(scope, first_seen=first_seen)[0]


def find_or_create_many(
    scope: TenantScope, *, first_seen: Mapping[ConversationKey, datetime]
) -> tuple[dict[ConversationKey, int], set[int]]:
    """Like :func:`find_or_create`, and the ids this transaction created (a row another
    transaction inserted first is found, not created)."""
    found = _find(scope, first_seen.keys())
    missing = [key for key in first_seen if key not in found]
    created: set[int] = set()
    if missing:
        now = utcnow()
        rows = [
            {
                "tenant_id": scope.tenant_id,
                "number_id": number_id,
                "contact_id": contact_id,
                "status": ConversationStatus.OPEN.value,
                "unread_count": 0,
                "last_message_at": first_seen[(number_id, contact_id)],
                "created_at": now,
            }
            for number_id, contact_id in missing
        ]
        t = CONVERSATIONS
        inserted = insert_ignore(
            scope.session,
            table=CONVERSATIONS,
            rows=rows,
            conflict=["number_id", "contact_id"],
            returning=[t.c.id],
        )
        created = {int(row[0]) for row in inserted}
        found.update(_find(scope, missing))
    return found, created


def find_or_create_one(scope: TenantScope, *, number_id: int, contact_id: int) -> tuple[int, bool]:
    """(conversation id, whether this transaction created it) for one (number, contact)."""
    key = (number_id, contact_id)
    found, created = find_or_create_many(scope, first_seen={key: utcnow()})
    return found[key], found[key] in created


def _find(scope: TenantScope, keys: Any) -> dict[ConversationKey, int]:
    wanted = set(keys)
    if not wanted:
        return {}
    t = CONVERSATIONS
    query = (
        sa.select(t.c.id, t.c.number_id, t.c.contact_id)
        .where(t.c.tenant_id == scope.tenant_id)
        .where(t.c.number_id.in_({n for n, _ in wanted}))
        .where(t.c.contact_id.in_({c for _, c in wanted}))
    )
    rows = scope.session.execute(query).all()
    return {(n, c): cid for cid, n, c in rows if (n, c) in wanted}


@dataclass(frozen=True, slots=True)
class Bump:
    """New messages for one conversation, summed over a batch."""

    conversation_id: int
    at: datetime
    preview: str | None
    unread: int = 0
    inbound_at: datetime | None = None


def bump_many(
    session: Session, *, bumps: list[Bump], created: Collection[int] = ()
) -> list[ConversationUpdated]:
    """Apply a batch's bumps: one statement on PostgreSQL, one per conversation elsewhere.

    ``created``: the conversations this transaction created (their event is an opening)."""
    if not bumps:
        return []
    if session.get_bind().dialect.name == "postgresql":
        from whatsapp_saas.inbox.pg_bulk import bump_conversations

        rows = bump_conversations(session, bumps=bumps)
    else:
        rows = [_bump_one(session, b) for b in sorted(bumps, key=lambda b: b.conversation_id)]
    return [_event(row, _change_of(row, created)) for row in rows]


def _change_of(row: Mapping[str, Any], created: Collection[int]) -> str:
    if row["id"] in created:
        return ConversationChange.CREATED
    if row["previous_status"] != row["status"]:  # only a customer's message changes it here
        return ConversationChange.STATUS
    return ConversationChange.MESSAGE


def _bump_one(session: Session, bump: Bump) -> dict[str, Any]:
    """SQLite's bump: this transaction holds the database's write lock already (the messages
    went in first), so the status read just before the update is the one it updates."""
    previous = None
    if bump.inbound_at is not None:
        t = CONVERSATIONS
        query = sa.select(t.c.status).where(t.c.id == bump.conversation_id)
        previous = session.execute(query).scalar_one()
    row = _bump_row(
        session,
        bump.conversation_id,
        at=bump.at,
        preview_text=bump.preview,
        unread=bump.unread,
        inbound_at=bump.inbound_at,
    )
    return {**row, "previous_status": previous if previous is not None else row["status"]}


def bump_counters(
    session: Session,
    *,
    conversation_id: int,
    at: datetime,
    preview_text: str | None,
    unread: int = 0,
    inbound_at: datetime | None = None,
) -> ConversationUpdated:
    """Record new messages on a conversation; inbound ones reopen it if it was resolved."""
    row = _bump_row(
        session,
        conversation_id,
        at=at,
        preview_text=preview_text,
        unread=unread,
        inbound_at=inbound_at,
    )
    return _event(row, ConversationChange.MESSAGE)


def _bump_row(
    session: Session,
    conversation_id: int,
    *,
    at: datetime,
    preview_text: str | None,
    unread: int = 0,
    inbound_at: datetime | None = None,
) -> dict[str, Any]:
    t = CONVERSATIONS
    values: dict[str, Any] = {
        # Late (older) messages never move the thread's last activity backwards.
        "last_message_preview": sa.case(
            (t.c.last_message_at <= at, preview_text), else_=t.c.last_message_preview
        ),
        "last_message_at": sa.case((t.c.last_message_at < at, at), else_=t.c.last_message_at),
    }
    if unread:
        values["unread_count"] = t.c.unread_count + unread
    if inbound_at is not None:
        values["last_inbound_at"] = sa.case(
            (sa.or_(t.c.last_inbound_at.is_(None), t.c.last_inbound_at < inbound_at), inbound_at),
            else_=t.c.last_inbound_at,
        )
        values["status"] = sa.case(
            (t.c.status == ConversationStatus.RESOLVED.value, ConversationStatus.OPEN.value),
            else_=t.c.status,
        )
    stmt = (
        sa.update(t)
        .where(t.c.id == conversation_id)
        .values(**values)
        .returning(*(t.c[name] for name in EVENT_COLUMNS))
    )
    return dict(session.execute(stmt).one()._mapping)


def _event(row: Mapping[str, Any], change: str) -> ConversationUpdated:
    return conversation_changed(
        tenant_id=row["tenant_id"],
        conversation_id=row["id"],
        number_id=row["number_id"],
        contact_id=row["contact_id"],
        change=change,
        status=row["status"],
        assignee_id=row["assignee_id"],
        department_id=row["department_id"],
        unread_count=row["unread_count"],
        last_message_at=row["last_message_at"],
        last_message_preview=row["last_message_preview"],
    )


def conversation_event(conversation: Conversation, change: str) -> ConversationUpdated:
    """The event for an ORM conversation row the caller just changed."""
    return _event(conversation.model_dump(), change)
