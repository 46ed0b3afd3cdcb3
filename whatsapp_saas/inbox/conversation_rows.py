"""Conversation rows at the SQL level: find-or-create many at once, bump cached counters.

Counters are bumped with relative SQL (``unread_count = unread_count + n``) rather than
read-modify-write, so two managers storing messages for the same thread never lose an update.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.inbox.events import ConversationChange, ConversationUpdated, conversation_changed
from whatsapp_saas.inbox.models import Conversation, ConversationStatus
from whatsapp_saas.inbox.sqlutil import insert_ignore
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
    scope: TenantScope, first_seen: Mapping[ConversationKey, datetime]
) -> dict[ConversationKey, int]:
    """The conversation id for each (number, contact); missing ones are created (race-safe)."""
    found = _find(scope, first_seen.keys())
    missing = [key for key in first_seen if key not in found]
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
        insert_ignore(scope.session, CONVERSATIONS, rows, ["number_id", "contact_id"])
        found.update(_find(scope, missing))
    return found


def find_or_create_one(scope: TenantScope, number_id: int, contact_id: int) -> tuple[int, bool]:
    """(conversation id, whether it was just created) for one (number, contact)."""
    key = (number_id, contact_id)
    existing = _find(scope, [key])
    if key in existing:
        return existing[key], False
    return find_or_create(scope, {key: utcnow()})[key], True


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


def bump_many(session: Session, bumps: list[Bump]) -> list[ConversationUpdated]:
    """Apply a batch's bumps: one statement on PostgreSQL, one per conversation elsewhere."""
    if not bumps:
        return []
    if session.get_bind().dialect.name == "postgresql":
        from whatsapp_saas.inbox.pg_bulk import bump_conversations

        return [
            _event(row, ConversationChange.MESSAGE) for row in bump_conversations(session, bumps)
        ]
    return [
        bump_counters(
            session,
            b.conversation_id,
            at=b.at,
            preview_text=b.preview,
            unread=b.unread,
            inbound_at=b.inbound_at,
        )
        for b in sorted(bumps, key=lambda b: b.conversation_id)
    ]


def bump_counters(
    session: Session,
    conversation_id: int,
    *,
    at: datetime,
    preview_text: str | None,
    unread: int = 0,
    inbound_at: datetime | None = None,
) -> ConversationUpdated:
    """Record new messages on a conversation; inbound ones reopen it if it was resolved."""
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
    row = session.execute(stmt).one()
    return _event(dict(row._mapping), ConversationChange.MESSAGE)


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
