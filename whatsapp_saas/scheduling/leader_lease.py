"""The scheduler's leader lease: one row in ``scheduler_state``, taken with a conditional UPDATE.

It lives in the database (not Redis) so embedded mode, Postgres-only deployments and Redis
deployments share one mechanism. It only saves work: the claims are what make a second
scheduler harmless, so clock skew between nodes or a brief double leadership costs nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.db.sqlutil import insert_ignore
from whatsapp_saas.scheduling.models import SchedulerState

LEADER = "leader"
STATE: sa.Table = SchedulerState.__table__  # type: ignore[attr-defined]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def try_lead(session: Session, *, holder: str, ttl: float, now: datetime) -> bool:
    """Take or renew the lease for ``ttl`` seconds; False while another live holder has it."""
    t = STATE
    until = now + timedelta(seconds=ttl)
    stmt = (
        sa.update(t)
        .where(t.c.name == LEADER)
        .where(sa.or_(t.c.holder == holder, t.c.expires_at.is_(None), t.c.expires_at < now))
        .values(holder=holder, expires_at=until)
    )
    if session.execute(stmt).rowcount:  # type: ignore[attr-defined]
        return True
    row = {"name": LEADER, "holder": holder, "expires_at": until, "cursor": 0}
    return bool(
        insert_ignore(session, table=t, rows=[row], conflict=["name"], returning=[t.c.name])
    )


def resign(session: Session, *, holder: str) -> None:
    """Hand the lease over at once (a clean shutdown), instead of after its TTL."""
    session.execute(
        sa.update(STATE)
        .where(STATE.c.name == LEADER, STATE.c.holder == holder)
        .values(expires_at=EPOCH)
    )


def current_leader(session: Session, *, now: datetime) -> str | None:
    row = session.get(SchedulerState, LEADER)
    if row is None or row.expires_at is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return row.holder if expires > now else None
