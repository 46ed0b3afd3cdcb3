"""The sweeper's queries: what is stuck, what is due, what comes next in a conversation.

The queue only wakes workers; these queries find the work again from the outbox itself, so a
dead worker, a lost wake-up (Redis restarted empty) or a backoff that expired all end the same
way: the message is dispatched again and claimed by whoever gets it first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.delivery.claim.claims import (
    MESSAGES,
    STATES,
    Ref,
    behind_older,
    is_queued,
    unsent,
)
from whatsapp_saas.delivery.common.jobs import BULK_SENDERS
from whatsapp_saas.delivery.models import SendLogEntry
from whatsapp_saas.inbox.models import MessageStatus

LOG: sa.Table = SendLogEntry.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Due:
    message_id: int
    tenant_id: int
    number_id: int
    bulk: bool


def stale_sending(session: Session, *, cutoff: datetime, limit: int = 500) -> list[Ref]:
    """Attempts claimed before ``cutoff`` and never finished: their worker died (or hangs)."""
    t = MESSAGES
    query = (
        sa.select(
            t.c.id, t.c.tenant_id, t.c.number_id, t.c.conversation_id, t.c.sending_at, t.c.queued_at
        )
        .where(unsent(t.c.status), t.c.status == MessageStatus.SENDING.value)
        .where(t.c.sending_at < cutoff)
        .order_by(t.c.id)
        .limit(limit)
    )
    return [Ref(*row) for row in session.execute(query).all()]


def _bulk_flag() -> sa.ColumnElement[int]:
    return sa.case((MESSAGES.c.sent_by.in_(sorted(BULK_SENDERS)), 1), else_=0)


def due_for_dispatch(
    session: Session, *, now: datetime, lost_cutoff: datetime, per_number: int, limit: int = 1000
) -> list[Due]:
    """Queued heads of conversations that need a wake-up now.

    That is: due (no future hold), and either never woken since they became due (a backoff or
    governor hold just ended) or woken so long ago that the wake-up must have been lost. At
    most ``per_number`` live and ``per_number`` bulk messages per number, so one number's
    backlog cannot crowd out the others.
    """
    t, d = MESSAGES, STATES
    bulk = _bulk_flag()
    woken = sa.or_(
        sa.and_(d.c.message_id.is_(None), t.c.queued_at <= lost_cutoff),
        sa.and_(
            d.c.message_id.is_not(None),
            sa.or_(
                d.c.dispatched_at.is_(None),
                d.c.dispatched_at < d.c.next_attempt_at,
                d.c.dispatched_at <= lost_cutoff,
            ),
        ),
    )
    rank = sa.func.row_number().over(partition_by=(t.c.number_id, bulk), order_by=t.c.id)
    inner = (
        sa.select(t.c.id, t.c.tenant_id, t.c.number_id, bulk.label("bulk"), rank.label("rank"))
        .select_from(t.outerjoin(d, d.c.message_id == t.c.id))
        .where(unsent(t.c.status), is_queued(t.c.status))
        .where(sa.or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now))
        .where(woken, ~behind_older())
        .subquery()
    )
    query = (
        sa.select(inner.c.id, inner.c.tenant_id, inner.c.number_id, inner.c.bulk)
        .where(inner.c.rank <= per_number)
        .order_by(inner.c.id)
        .limit(limit)
    )
    return [Due(i, tn, n, bool(b)) for i, tn, n, b in session.execute(query).all()]


def numbers_holding_bulk(session: Session, *, now: datetime) -> set[int]:
    """Numbers with a bulk message held in the future (the governor is spacing them out)."""
    t, d = MESSAGES, STATES
    query = (
        sa.select(d.c.number_id)
        .select_from(d.join(t, t.c.id == d.c.message_id))
        .where(unsent(t.c.status), is_queued(t.c.status), d.c.next_attempt_at > now)
        .where(t.c.sent_by.in_(sorted(BULK_SENDERS)))
        .distinct()
    )
    return {int(n) for (n,) in session.execute(query).all()}


def next_heads(session: Session, *, conversation_ids: Iterable[int]) -> list[int]:
    """The oldest unsent message of each conversation, if it is queued: it can go now."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return []
    t = MESSAGES
    first = (
        sa.select(sa.func.min(t.c.id))
        .where(t.c.conversation_id.in_(ids), unsent(t.c.status))
        .group_by(t.c.conversation_id)
    )
    query = sa.select(t.c.id).where(t.c.id.in_(first), t.c.status == MessageStatus.QUEUED.value)
    return [int(i) for (i,) in session.execute(query).all()]


def purge_send_log(session: Session, *, before: datetime) -> int:
    """The DB limiter needs two days of history at most (daily caps, rate windows)."""
    result = session.execute(sa.delete(LOG).where(LOG.c.admitted_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def dispatch_rows(dues: Sequence[Due], now: datetime) -> list[dict[str, object]]:
    """Rows for :func:`~whatsapp_saas.delivery.record.outcomes.upsert_states`: these woken now."""
    return [
        {
            "message_id": d.message_id,
            "tenant_id": d.tenant_id,
            "number_id": d.number_id,
            "dispatched_at": now,
        }
        for d in dues
    ]
