"""Recording what happened to a claimed attempt: sent, held, retried later, or failed.

The status moves themselves are :mod:`whatsapp_saas.inbox.status`'s (the one owner of an
outbound message's status); this module adds the sender's bookkeeping around them. Every
write is conditional: ``sent`` only moves forward (a receipt may have come first), and
the other outcomes match the attempt's claim token (``sending_at``), so an attempt that was
given up on (the sweeper re-queued it) can no longer change the message.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from whatsapp_saas.delivery.claim.claims import MESSAGES, STATES, Ref
from whatsapp_saas.delivery.common import reasons
from whatsapp_saas.delivery.common.jobs import SendOutcome
from whatsapp_saas.inbox import status
from whatsapp_saas.models_base import as_utc


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int
    backoff_base: float
    backoff_cap: float

    def delay(self, attempts: int) -> float:
        """Capped exponential backoff with jitter (so retries of many messages spread out)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** max(attempts - 1, 0))
        return ceiling * random.uniform(0.5, 1.0)


def record_sent(
    session: Session, *, sent: Sequence[tuple[Ref, SendOutcome]], now: datetime
) -> None:
    """Mark messages sent (where that is still forward) and drop their retry state."""
    if not sent:
        return
    ids = [ref.message_id for ref, _ in sent]
    status.mark_sent(session, message_ids=ids, at=now)
    _note_whatsapp_side(session, sent)
    session.execute(sa.delete(STATES).where(STATES.c.message_id.in_(ids)))


def _note_whatsapp_side(session: Session, sent: Sequence[tuple[Ref, SendOutcome]]) -> None:
    """WhatsApp's timestamp, and the id it used: an engine that cannot fix ids (neonize)
    reports the real one, and receipts will name that one, so the row must carry it.
    One executemany for the batch (psycopg pipelines it)."""
    t = MESSAGES
    rows = [
        {"m": ref.message_id, "ts": o.sent_at, "wa": o.wa_message_id}
        for ref, o in sent
        if o.sent_at is not None and o.wa_message_id
    ]
    if rows:
        stmt = (
            sa.update(t)
            .where(t.c.id == sa.bindparam("m"))
            .values(wa_timestamp=sa.bindparam("ts"), wa_message_id=sa.bindparam("wa"))
        )
        session.execute(stmt, rows)


def record_failed(session: Session, *, ref: Ref, reason: str, now: datetime) -> bool:
    """A permanent failure the attendant sees (and can retry)."""
    t = MESSAGES
    criteria = [t.c.id == ref.message_id, t.c.sending_at == ref.token]
    moved = status.fail(session, criteria=criteria, at=now, reason=reason)
    if moved:
        session.execute(sa.delete(STATES).where(STATES.c.message_id == ref.message_id))
    return bool(moved)


def record_retry(
    session: Session, *, ref: Ref, failure: reasons.Failure, now: datetime, policy: RetryPolicy
) -> bool:
    """A transient failure: back to queued with a backoff, or failed once attempts run out.

    Returns True when the message will be retried."""
    attempts = _attempts_so_far(session, ref) + 1
    if attempts >= policy.max_attempts:
        record_failed(
            session,
            ref=ref,
            reason=failure.reason if failure.reason != reasons.SEND_ERROR else reasons.GAVE_UP,
            now=now,
        )
        return False
    if not _release(session, ref):
        return False
    due = now + timedelta(seconds=policy.delay(attempts))
    upsert_state(
        session,
        ref=ref,
        now=now,
        attempts=attempts,
        next_attempt_at=due,
        cycle_at=ref.queued_at,
        last_error=failure.detail[:500] or failure.reason,
    )
    return True


def record_held(session: Session, *, ref: Ref, until: datetime, why: str, now: datetime) -> bool:
    """The governor said "not yet": back to queued until ``until``; not an attempt."""
    if not _release(session, ref):
        return False
    upsert_state(session, ref=ref, now=now, next_attempt_at=until, last_error=why)
    return True


def _release(session: Session, ref: Ref) -> bool:
    return status.release(session, message_id=ref.message_id, token=ref.token)


def _attempts_so_far(session: Session, ref: Ref) -> int:
    row = session.execute(
        sa.select(STATES.c.attempts, STATES.c.cycle_at).where(STATES.c.message_id == ref.message_id)
    ).first()
    if row is None or row.cycle_at is None or ref.queued_at is None:
        return 0 if row is None else int(row.attempts)
    # A Retry by the attendant re-queued the message with a new queued_at: start afresh.
    same_cycle = as_utc(row.cycle_at) == as_utc(ref.queued_at)
    return int(row.attempts) if same_cycle else 0


def upsert_state(session: Session, *, ref: Ref, now: datetime, **values: Any) -> None:
    """Insert or update the message's retry state (one statement on both databases)."""
    upsert_states(
        session,
        rows=[
            {
                "message_id": ref.message_id,
                "tenant_id": ref.tenant_id,
                "number_id": ref.number_id,
                **values,
            }
        ],
        now=now,
    )


def upsert_states(session: Session, *, rows: Sequence[dict[str, Any]], now: datetime) -> None:
    """Columns a row does not mention keep their value on update (and their default on insert)."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    columns = sorted({key for row in rows for key in row} - {"message_id"})
    full = [{**{c: None for c in columns}, "attempts": 0, **row, "updated_at": now} for row in rows]
    stmt: Any = dialect.insert(STATES)
    keep = {"tenant_id", "number_id"}
    changes = {c: stmt.excluded[c] for c in [*columns, "updated_at"] if c not in keep}
    stmt = stmt.on_conflict_do_update(index_elements=["message_id"], set_=changes)
    session.execute(stmt, full)
