"""The database limiter (embedded mode, no Redis): the same rules as the Lua script, over
``delivery_send_log``.

Admissions of one tenant are serialised: by a transaction-scoped advisory lock on PostgreSQL
(several processes may share the database) and by a process-wide lock on SQLite (one process
by definition), so two workers can never both take the last slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.govern.admission import Admission, Verdict, Why
from whatsapp_saas.delivery.models import SendLogEntry
from whatsapp_saas.models_base import as_utc, utcnow

LOG: sa.Table = SendLogEntry.__table__  # type: ignore[attr-defined]
ADVISORY_CLASS = 0x474F  # "GO": governor locks, apart from the manager's leases
_sqlite_lock = threading.Lock()


class DbLimiter:
    async def admit_many(self, requests: list[Admission], inflight: float) -> list[Verdict]:
        if not requests:
            return []
        return await asyncio.to_thread(self._admit_all, requests, inflight)

    async def done(self, admitted: list[tuple[Admission, Any]]) -> None:
        ids = [ticket for _, ticket in admitted if ticket is not None]
        if ids:
            await asyncio.to_thread(_finish, ids)

    def _admit_all(self, requests: list[Admission], inflight: float) -> list[Verdict]:
        with session_scope() as session:
            sqlite = session.get_bind().dialect.name == "sqlite"
            with _sqlite_lock if sqlite else contextlib.nullcontext():
                verdicts = []
                for req in requests:
                    if not sqlite:
                        session.execute(
                            sa.text("SELECT pg_advisory_xact_lock(:c, :k)"),
                            {"c": ADVISORY_CLASS, "k": req.tenant_id},
                        )
                    verdicts.append(_admit(session, req, utcnow(), inflight))
                session.commit()
                return verdicts


def _admit(session: Session, req: Admission, now: datetime, inflight: float) -> Verdict:
    lim = req.limits
    limit = lim.rate_count
    if req.bulk:
        limit = max(1, int(lim.rate_count * lim.bulk_share))
    window = timedelta(seconds=lim.rate_window)
    number_slots = _slots(session, LOG.c.number_id == req.number_id, now - window)
    wait, why = _wait(number_slots, limit, window, now), Why.RATE
    if req.bulk:
        gap_wait = _gap_wait(session, req.number_id, now)
        if gap_wait > wait:
            wait, why = gap_wait, Why.GAP
    if lim.tenant_per_minute > 0:
        minute = timedelta(minutes=1)
        tenant_slots = _slots(session, LOG.c.tenant_id == req.tenant_id, now - minute)
        tenant_wait = _wait(tenant_slots, lim.tenant_per_minute, minute, now)
        if tenant_wait > wait:
            wait, why = tenant_wait, Why.TENANT_MINUTE
    if req.bulk:
        if _over(session, LOG.c.number_id == req.number_id, req, lim.daily_cap):
            return Verdict(False, why=Why.DAILY_CAP)
        if _over(session, LOG.c.tenant_id == req.tenant_id, req, lim.tenant_per_day):
            return Verdict(False, why=Why.TENANT_DAY)
    if wait > 0:
        return Verdict(False, wait=wait, why=why)
    gap_until = now + timedelta(seconds=req.gap) if req.bulk else None
    entry_id = session.execute(
        sa.insert(LOG)
        .values(
            tenant_id=req.tenant_id,
            number_id=req.number_id,
            message_id=req.message_id,
            bulk=req.bulk,
            admitted_at=now,
            until_at=now + timedelta(seconds=inflight),
            gap_until=gap_until,
        )
        .returning(LOG.c.id)
    ).scalar_one()
    return Verdict(True, ticket=int(entry_id))


def _slots(session: Session, who: sa.ColumnElement[bool], after: datetime) -> list[datetime]:
    query = sa.select(LOG.c.until_at).where(who, LOG.c.until_at > after).order_by(LOG.c.until_at)
    return [as_utc(at) for (at,) in session.execute(query).all()]


def _wait(slots: list[datetime], limit: int, window: timedelta, now: datetime) -> float:
    """Seconds until fewer than ``limit`` slots remain in the window (0: room now)."""
    if len(slots) < limit:
        return 0.0
    blocking = min(slots[len(slots) - limit], now)  # in flight: as if it finished now
    return max((blocking + window - now).total_seconds(), 0.001)


def _gap_wait(session: Session, number_id: int, now: datetime) -> float:
    query = sa.select(sa.func.max(LOG.c.gap_until)).where(LOG.c.number_id == number_id, LOG.c.bulk)
    last = session.execute(query).scalar()
    return max((as_utc(last) - now).total_seconds(), 0.0) if last is not None else 0.0


def _over(session: Session, who: sa.ColumnElement[bool], req: Admission, cap: int) -> bool:
    """Whether today's distinct messages already reach ``cap`` (this one not counted twice)."""
    if cap <= 0:
        return False
    today = sa.and_(who, LOG.c.admitted_at >= req.day_start)
    seen = session.execute(
        sa.select(sa.func.count()).where(today, LOG.c.message_id == req.message_id)
    ).scalar_one()
    if seen:
        return False
    count = session.execute(sa.select(sa.func.count(sa.distinct(LOG.c.message_id))).where(today))
    return int(count.scalar_one()) >= cap


def _finish(entry_ids: list[int]) -> None:
    with session_scope() as session:
        session.execute(sa.update(LOG).where(LOG.c.id.in_(entry_ids)).values(until_at=utcnow()))
