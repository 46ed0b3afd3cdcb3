"""Writing events into the events table, inside the transaction that produced them.

:func:`record` runs just before a session commits (see :mod:`whatsapp_saas.db`): it takes the
next sequence numbers of each tenant (one upsert per tenant, which row-locks the counter until
the commit, so a tenant's events become visible in sequence order) and writes every event in
one statement. Taking the counter last keeps the lock short: nothing but the insert and the
commit happen while it is held. Tenants are locked in id order, so two batches spanning the
same tenants cannot deadlock.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.events.codec import conversation_of, encode, is_live_only, type_name
from whatsapp_saas.events.models import EventRecord
from whatsapp_saas.models_base import utcnow

EVENTS: sa.Table = EventRecord.__table__  # type: ignore[attr-defined]

NEXT_SEQ_SQL = sa.text(
    "INSERT INTO event_sequences (tenant_id, last_seq) VALUES (:tenant_id, :count) "
    "ON CONFLICT (tenant_id) DO UPDATE SET last_seq = event_sequences.last_seq + :count "
    "RETURNING last_seq"
)

COPY_SQL = "COPY events (tenant_id, seq, type, conversation_id, payload, created_at) FROM STDIN"


def _copy(
    session: Session, rows: list[tuple[int, int, str, int | None, dict[str, Any]]], now: Any
) -> None:
    """COPY into the events table, on the session's own connection and transaction: the
    cheapest bulk path PostgreSQL has (no statement to plan, no parameters to splice)."""
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    with dbapi.cursor() as cursor, cursor.copy(COPY_SQL) as copy:  # type: ignore[attr-defined]
        for tenant_id, seq, kind, conversation_id, payload in rows:
            text = json.dumps(payload, separators=(",", ":"))
            copy.write_row((tenant_id, seq, kind, conversation_id, text, now))


def durable(events: Sequence[Any]) -> list[Any]:
    return [e for e in events if not is_live_only(e)]


def record(session: Session, *, events: Sequence[Any]) -> int:
    """Insert ``events`` (the durable ones) in the session's transaction; returns how many."""
    items = durable(events)
    if not items:
        return 0
    by_tenant: dict[int, list[Any]] = defaultdict(list)
    for event in items:
        by_tenant[int(event.tenant_id)].append(event)
    rows: list[tuple[int, int, str, int | None, dict[str, Any]]] = []
    for tenant_id in sorted(by_tenant):
        batch = by_tenant[tenant_id]
        last = session.execute(NEXT_SEQ_SQL, {"tenant_id": tenant_id, "count": len(batch)})
        first = int(last.scalar_one()) - len(batch) + 1
        for offset, event in enumerate(batch):
            rows.append(
                (tenant_id, first + offset, type_name(type(event)), conversation_of(event),
                 encode(event))
            )  # fmt: skip
    _insert(session, rows)
    return len(rows)


def _insert(session: Session, rows: list[tuple[int, int, str, int | None, dict[str, Any]]]) -> None:
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, rows, now)
        return
    session.execute(
        sa.insert(EVENTS),
        [
            {"tenant_id": t, "seq": s, "type": y, "conversation_id": c, "payload": p,
             "created_at": now}
            for t, s, y, c, p in rows
        ],
    )  # fmt: skip
