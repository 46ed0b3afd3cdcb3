"""Delivery states only move forward: queued < sending < sent < delivered < read.

``failed`` is reachable only from queued or sending (a message WhatsApp accepted cannot fail
later). Every move is one conditional UPDATE, so a late or replayed receipt, or two workers
racing, can never move a message backwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.inbox.events import MessageStatusChanged, status_changed
from whatsapp_saas.inbox.models import Direction, Message, MessageStatus

S = MessageStatus
ORDER = (S.QUEUED, S.SENDING, S.SENT, S.DELIVERED, S.READ)
STAMP = {
    S.QUEUED: "queued_at",
    S.SENDING: "sending_at",
    S.SENT: "sent_at",
    S.DELIVERED: "delivered_at",
    S.READ: "read_at",
    S.FAILED: "failed_at",
}
REASON_MAX = 500


def allowed_from(new: MessageStatus) -> tuple[str, ...]:
    """The states from which ``new`` is a forward move."""
    if new is S.FAILED:
        return (S.QUEUED.value, S.SENDING.value)
    return tuple(s.value for s in ORDER[: ORDER.index(new)])


def can_move(current: str | None, new: MessageStatus) -> bool:
    return current in allowed_from(new)


@dataclass(frozen=True, slots=True)
class Moved:
    message_id: int
    tenant_id: int
    conversation_id: int
    number_id: int

    def event(
        self, status: MessageStatus, at: datetime, reason: str | None
    ) -> MessageStatusChanged:
        return status_changed(
            self.tenant_id,
            self.message_id,
            self.conversation_id,
            self.number_id,
            status.value,
            at,
            reason,
        )


def advance(
    session: Session,
    criteria: list[sa.ColumnElement[bool]],
    new: MessageStatus,
    at: datetime,
    reason: str | None = None,
) -> list[Moved]:
    """Move the outbound messages matching ``criteria`` to ``new`` where that is forward."""
    table: sa.Table = Message.__table__  # type: ignore[attr-defined]
    values: dict[str, Any] = {"status": new.value, STAMP[new]: at}
    if new is S.FAILED:
        values["failure_reason"] = (reason or "")[:REASON_MAX] or None
    else:
        # A read receipt may be the first news we get: fill the steps it implies.
        for skipped in ORDER[ORDER.index(S.SENT) : ORDER.index(new)] if new in ORDER else ():
            values[STAMP[skipped]] = sa.func.coalesce(table.c[STAMP[skipped]], at)
    stmt = (
        sa.update(table)
        .where(*criteria)
        .where(table.c.direction == Direction.OUT.value)
        .where(table.c.is_internal_note.is_(False))
        .where(table.c.status.in_(allowed_from(new)))
        .values(**values)
        .returning(table.c.id, table.c.tenant_id, table.c.conversation_id, table.c.number_id)
    )
    return [Moved(*row) for row in session.execute(stmt).all()]


def advance_by_wa_ids(
    session: Session, number_id: int, wa_ids: list[str], new: MessageStatus, at: datetime
) -> list[Moved]:
    """What a receipt does: the messages are named by their WhatsApp ids on one number."""
    if not wa_ids:
        return []
    table: sa.Table = Message.__table__  # type: ignore[attr-defined]
    criteria = [table.c.number_id == number_id, table.c.wa_message_id.in_(wa_ids)]
    return advance(session, criteria, new, at)


def advance_one(
    session: Session, message_id: int, new: MessageStatus, at: datetime, reason: str | None = None
) -> Moved | None:
    """What the sender does for one message it owns."""
    table: sa.Table = Message.__table__  # type: ignore[attr-defined]
    moved = advance(session, [table.c.id == message_id], new, at, reason)
    return moved[0] if moved else None
