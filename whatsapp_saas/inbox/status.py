"""The one owner of an outbound message's status: every change of ``messages.status`` is here.

The lifecycle::

    queued -> sending -> sent -> delivered -> read
       ^         |                      (receipts may skip steps; never backwards)
       |         +-> queued   a transient failure or a governor hold (:func:`release`)
       |         +-> failed   a permanent failure (:func:`fail`)
       +-- failed             a person's Retry (:func:`retry_failed`), same WhatsApp id

Forward moves (:func:`advance` and its callers) are one conditional UPDATE each, so a late or
replayed receipt, or two workers racing, can never move a message backwards; ``failed`` is
reachable only from queued or sending (a message WhatsApp accepted cannot fail later). Every
visible move records :class:`MessageStatusChanged` after commit. Two moves are silent on
purpose: the sender's claim (``queued -> sending``) and its release back to ``queued`` happen
many times per message under load, and a browser shows both states the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.access import get_message
from whatsapp_saas.inbox.audio import CONVERSION_FAILED
from whatsapp_saas.inbox.events import MessageStatusChanged, OutboundQueued, status_changed
from whatsapp_saas.inbox.models import Direction, Message, MessageStatus
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

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
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]


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


# --- forward moves --------------------------------------------------------------------------


def _forward(
    session: Session,
    criteria: Sequence[sa.ColumnElement[bool]],
    new: MessageStatus,
    at: datetime,
    reason: str | None,
) -> list[Moved]:
    """The UPDATE behind every forward move; records nothing."""
    table = MESSAGES
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


def advance(
    session: Session,
    *,
    criteria: Sequence[sa.ColumnElement[bool]],
    new: MessageStatus,
    at: datetime,
    reason: str | None = None,
) -> list[Moved]:
    """Move the outbound messages matching ``criteria`` to ``new`` where that is forward, and
    record one :class:`MessageStatusChanged` per message moved."""
    moved = _forward(session, criteria, new, at, reason)
    if moved:
        announce_after_commit(session, *(m.event(new, at, reason) for m in moved))
    return moved


def advance_one(
    session: Session,
    *,
    message_id: int,
    new: MessageStatus,
    at: datetime,
    reason: str | None = None,
) -> Moved | None:
    """What the sender does for one message it owns."""
    moved = advance(session, criteria=[MESSAGES.c.id == message_id], new=new, at=at, reason=reason)
    return moved[0] if moved else None


def mark_sent(session: Session, *, message_ids: Sequence[int], at: datetime) -> list[Moved]:
    """WhatsApp accepted these messages (where a receipt has not already gone further)."""
    if not message_ids:
        return []
    return advance(session, criteria=[MESSAGES.c.id.in_(list(message_ids))], new=S.SENT, at=at)


def fail(
    session: Session,
    *,
    criteria: Sequence[sa.ColumnElement[bool]],
    at: datetime,
    reason: str,
) -> list[Moved]:
    """A failure the attendant sees (and can retry), with the reason shown on the message."""
    return advance(session, criteria=criteria, new=S.FAILED, at=at, reason=reason)


def fail_one(session: Session, *, message_id: int, at: datetime, reason: str) -> bool:
    return bool(fail(session, criteria=[MESSAGES.c.id == message_id], at=at, reason=reason))


def advance_by_wa_ids(
    session: Session, *, number_id: int, wa_ids: Sequence[str], new: MessageStatus, at: datetime
) -> list[Moved]:
    """What a receipt does: the messages are named by their WhatsApp ids on one number.

    Records nothing: the ingest batch announces the moves with its other events, in order
    (use :meth:`Moved.event`)."""
    if not wa_ids:
        return []
    criteria = [MESSAGES.c.number_id == number_id, MESSAGES.c.wa_message_id.in_(list(wa_ids))]
    return _forward(session, criteria, new, at, None)


# --- the sender's silent moves --------------------------------------------------------------


def claim(
    session: Session,
    *,
    criteria: Sequence[sa.ColumnElement[bool]],
    now: datetime,
    returning: Sequence[sa.ColumnElement[Any]],
) -> list[sa.RowMapping]:
    """``queued -> sending`` for the messages matching ``criteria``; ``sending_at = now`` is the
    attempt's token. Exactly one claimer wins a row: the UPDATE only matches it while queued."""
    t = MESSAGES
    stmt = (
        sa.update(t)
        .where(*criteria)
        .where(
            t.c.status == sa.literal_column(f"'{S.QUEUED.value}'"),
            t.c.direction == Direction.OUT.value,
            t.c.is_internal_note.is_(False),
            t.c.wa_message_id.is_not(None),
        )
        .values(status=S.SENDING.value, sending_at=now)
        .returning(*returning)
    )
    return [row._mapping for row in session.execute(stmt).all()]


def release(session: Session, *, message_id: int, token: datetime) -> bool:
    """``sending -> queued`` for the attempt claimed at ``token`` (a transient failure or a
    governor hold); an attempt given up on (re-claimed since) changes nothing."""
    t = MESSAGES
    stmt = (
        sa.update(t)
        .where(t.c.id == message_id, t.c.status == S.SENDING.value, t.c.sending_at == token)
        .values(status=S.QUEUED.value)
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


# --- a person's Retry -----------------------------------------------------------------------


def retry_failed(scope: TenantScope, *, actor: CurrentUser, message_id: int) -> Message:
    """Send a failed message again, with the same WhatsApp id (a retry is never a duplicate).

    The actor must be allowed to see the message's conversation (:mod:`.access`): another
    tenant's message, or one of a conversation hidden from this agent, is ``NotFound`` and
    nothing changes. Only ``failed`` moves (one conditional UPDATE), so a double click
    re-queues once; the new ``queued_at`` starts the sender's attempt count afresh.
    """
    message = get_message(scope, actor=actor, message_id=message_id, for_update=True)
    if message.direction != Direction.OUT.value or message.wa_message_id is None:
        raise UserError("error.inbox_not_failed")
    if message.status == S.FAILED.value and message.failure_reason == CONVERSION_FAILED:
        # Sending again would send the same unplayable file: the audio must be made again.
        raise UserError("voice.retry_record_again")
    now = utcnow()
    t = MESSAGES
    moved = scope.session.execute(
        sa.update(t)
        .where(t.c.id == message_id, t.c.tenant_id == scope.tenant_id)
        .where(t.c.status == S.FAILED.value)
        .values(status=S.QUEUED.value, queued_at=now, failure_reason=None, failed_at=None)
    ).rowcount  # type: ignore[attr-defined]
    if not moved:
        raise UserError("error.inbox_not_failed")
    scope.session.refresh(message)
    _announce_requeued(scope, message, now)
    return message


def _announce_requeued(scope: TenantScope, message: Message, at: datetime) -> None:
    assert message.id is not None and message.wa_message_id is not None
    ids = (scope.tenant_id, message.id, message.conversation_id, message.number_id)
    announce_after_commit(
        scope.session,
        status_changed(*ids, S.QUEUED.value, at, None),
        OutboundQueued(*ids, message.wa_message_id),  # wakes the sender (a live subscriber)
    )
