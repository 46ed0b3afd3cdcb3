"""The SQL of the durable runner: cursors, lag, the next events, held events.

Plain statements that mean the same on PostgreSQL and SQLite (both speak ``ON CONFLICT``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.events.models import EventHold, EventRecord
from whatsapp_saas.models_base import utcnow

EVENTS: sa.Table = EventRecord.__table__  # type: ignore[attr-defined]
HOLDS: sa.Table = EventHold.__table__  # type: ignore[attr-defined]


def ensure_subscriber(session: Session, *, name: str) -> None:
    session.execute(
        sa.text(
            "INSERT INTO event_subscribers (name, created_at) VALUES (:name, :now) "
            "ON CONFLICT (name) DO NOTHING"
        ),
        {"name": name, "now": utcnow()},
    )


def lock_subscriber(session: Session, *, name: str) -> None:
    """Serialise the runners of one subscriber (any process) for this transaction."""
    sql = "UPDATE event_subscribers SET last_run_at = :now WHERE name = :name"
    session.execute(sa.text(sql), {"name": name, "now": utcnow()})


def lagging_tenants(session: Session, *, name: str) -> list[tuple[int, int, int]]:
    """(tenant, head seq, cursor seq) for every tenant with events this subscriber has not
    passed yet."""
    rows = session.execute(
        sa.text(
            "SELECT s.tenant_id, s.last_seq, COALESCE(c.last_seq, 0) FROM event_sequences s "
            "LEFT JOIN event_cursors c ON c.tenant_id = s.tenant_id AND c.subscriber = :name "
            "WHERE s.last_seq > COALESCE(c.last_seq, 0) ORDER BY s.tenant_id"
        ),
        {"name": name},
    ).all()
    return [(int(t), int(h), int(c)) for t, h, c in rows]


def cursor_of(session: Session, *, name: str, tenant_id: int) -> int:
    value = session.execute(
        sa.text("SELECT last_seq FROM event_cursors WHERE subscriber = :n AND tenant_id = :t"),
        {"n": name, "t": tenant_id},
    ).scalar()
    return int(value or 0)


def head_of(session: Session, *, tenant_id: int) -> int:
    value = session.execute(
        sa.text("SELECT last_seq FROM event_sequences WHERE tenant_id = :t"), {"t": tenant_id}
    ).scalar()
    return int(value or 0)


def next_events(
    session: Session, *, tenant_id: int, after: int, upto: int, types: Sequence[str], limit: int
) -> list[Any]:
    t = EVENTS
    query = (
        sa.select(t.c.id, t.c.seq, t.c.type, t.c.conversation_id, t.c.payload)
        .where(t.c.tenant_id == tenant_id, t.c.seq > after, t.c.seq <= upto)
        .where(t.c.type.in_(list(types)))
        .order_by(t.c.seq)
        .limit(limit)
    )
    return list(session.execute(query).all())


def event_row(session: Session, *, event_id: int) -> Any:
    t = EVENTS
    query = sa.select(t.c.id, t.c.tenant_id, t.c.seq, t.c.type, t.c.conversation_id, t.c.payload)
    return session.execute(query.where(t.c.id == event_id)).first()


def move_cursor(session: Session, *, name: str, tenant_id: int, seq: int, event_id: int) -> None:
    session.execute(
        sa.text(
            "INSERT INTO event_cursors (subscriber, tenant_id, last_seq, last_event_id) "
            "VALUES (:n, :t, :s, :e) ON CONFLICT (subscriber, tenant_id) DO UPDATE SET "
            "last_seq = excluded.last_seq, last_event_id = excluded.last_event_id"
        ),
        {"n": name, "t": tenant_id, "s": seq, "e": event_id},
    )


def held_conversations(session: Session, *, name: str, tenant_id: int) -> set[int]:
    h = HOLDS
    query = (
        sa.select(h.c.conversation_id)
        .distinct()
        .where(h.c.subscriber == name, h.c.tenant_id == tenant_id, h.c.conversation_id.is_not(None))
    )
    return {int(c) for (c,) in session.execute(query).all()}


def hold(
    session: Session,
    *,
    name: str,
    row: Any,
    tenant_id: int,
    attempts: int,
    error: str | None,
    next_at: datetime | None,
    parked: bool = False,
) -> None:
    values = {
        "subscriber": name,
        "event_id": row.id,
        "tenant_id": tenant_id,
        "conversation_id": row.conversation_id,
        "attempts": attempts,
        "last_error": (error or "")[:2000] or None,
        "next_attempt_at": next_at,
        "parked": parked,
        "created_at": utcnow(),
    }
    session.execute(sa.insert(HOLDS).values(**values))


def has_holds(session: Session, *, name: str) -> bool:
    """Whether the subscriber has held events (an index probe; the pass skips them if not)."""
    h = HOLDS
    query = sa.select(h.c.event_id).where(h.c.subscriber == name).limit(1)
    return session.execute(query).first() is not None


def holds_of(session: Session, *, name: str, limit: int = 1000) -> list[Any]:
    h = HOLDS
    query = sa.select(h).where(h.c.subscriber == name).order_by(h.c.event_id).limit(limit)
    return list(session.execute(query).all())


def update_hold(session: Session, *, name: str, event_id: int, **values: Any) -> int:
    h = HOLDS
    stmt = sa.update(h).where(h.c.subscriber == name, h.c.event_id == event_id).values(**values)
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def release_hold(session: Session, *, name: str, event_id: int) -> None:
    h = HOLDS
    session.execute(sa.delete(h).where(h.c.subscriber == name, h.c.event_id == event_id))
