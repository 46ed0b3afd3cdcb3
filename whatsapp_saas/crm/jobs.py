"""Running CRM jobs (imports, bulk actions over a filter) in committed, resumable chunks.

A job row is claimed with a lease (``lease_holder`` until ``lease_until``). Each chunk is one
transaction that does the work *and* records the progress (the import rows' statuses, the
bulk cursor), and renews the lease; a runner that dies mid-chunk loses only that
uncommitted chunk. When its lease runs out, any runner (another web worker, the scheduler
process, the same one restarted) claims the job again and carries on from the rows that are
still pending: nothing is done twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from whatsapp_saas.crm.models import Job, JobKind, JobStatus
from whatsapp_saas.db import session_scope
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope

log = logging.getLogger(__name__)
LEASE_SECONDS = 30.0
CHUNK = 200
JOBS: sa.Table = Job.__table__  # type: ignore[attr-defined]
ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)

# One chunk of a job: does up to ``limit`` units of work; True when the job is finished.
ChunkRunner = Callable[[TenantScope, Job, int], bool]


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def chunk_runners() -> dict[str, ChunkRunner]:
    from whatsapp_saas.crm import bulk, importer  # they import this module's callers

    return {JobKind.IMPORT.value: importer.run_chunk, JobKind.BULK.value: bulk.run_chunk}


def claim(
    session: Session, *, holder: str, now: datetime, ttl: float = LEASE_SECONDS
) -> int | None:
    """Take the oldest job that nobody holds (or whose holder's lease ran out)."""
    free = sa.or_(JOBS.c.lease_until.is_(None), JOBS.c.lease_until < now)
    candidates = (
        sa.select(JOBS.c.id).where(JOBS.c.status.in_(ACTIVE), free).order_by(JOBS.c.id).limit(5)
    )
    for (job_id,) in session.execute(candidates).all():
        taken = session.execute(
            sa.update(JOBS)
            .where(JOBS.c.id == job_id, JOBS.c.status.in_(ACTIVE), free)
            .values(
                lease_holder=holder,
                lease_until=now + timedelta(seconds=ttl),
                status=JobStatus.RUNNING.value,
            )
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            return int(job_id)
    return None


def _still_mine(session: Session, job_id: int, holder: str, now: datetime, ttl: float) -> bool:
    renewed = session.execute(
        sa.update(JOBS)
        .where(JOBS.c.id == job_id, JOBS.c.lease_holder == holder)
        .where(JOBS.c.status == JobStatus.RUNNING.value)
        .values(lease_until=now + timedelta(seconds=ttl))
    )
    return bool(renewed.rowcount)  # type: ignore[attr-defined]


def run_chunk(
    job_id: int,
    holder: str,
    *,
    limit: int = CHUNK,
    ttl: float = LEASE_SECONDS,
    clock: Callable[[], datetime] = utcnow,
) -> bool:
    """One committed chunk of a job this holder leads; True when nothing is left to do."""
    with session_scope(write=True) as session:
        if not _still_mine(session, job_id, holder, clock(), ttl):
            return True  # someone else took it over (our lease had expired): stop
        job = session.get(Job, job_id)
        assert job is not None
        scope = TenantScope(session, job.tenant_id)
        try:
            finished = chunk_runners()[job.kind](scope, job, limit)
        except Exception as exc:  # a bug, not a bad row: the job stops and says so
            log.exception("crm job %s failed", job_id)
            session.rollback()
            _fail(job_id, str(exc))
            return True
        if finished:
            # A runner that stopped the job for a reason it recorded (``error``) failed it.
            status = JobStatus.FAILED if job.error else JobStatus.DONE
            job.status, job.finished_at = status.value, clock()
            job.lease_holder, job.lease_until = None, None
        session.add(job)
    return finished


def _fail(job_id: int, reason: str) -> None:
    with session_scope(write=True) as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.status, job.error, job.finished_at = JobStatus.FAILED.value, reason[:500], utcnow()
            session.add(job)


def run_pending(holder: str | None = None, *, limit: int = CHUNK, max_jobs: int = 10) -> int:
    """Claim and finish jobs until none is left (or ``max_jobs``); returns how many ran."""
    holder = holder or default_holder()
    ran = 0
    while ran < max_jobs:
        with session_scope(write=True) as session:
            job_id = claim(session, holder=holder, now=utcnow())
        if job_id is None:
            return ran
        while not run_chunk(job_id, holder, limit=limit):
            pass
        ran += 1
    return ran


def job_of(scope: TenantScope, *, job_id: int) -> Job:
    return scope.get(Job, job_id)


def lease_expired(job: Job, now: datetime) -> bool:
    return job.lease_until is None or as_utc(job.lease_until) < now


def active_jobs(scope: TenantScope) -> list[Job]:
    return list(scope.all(Job, col(Job.status).in_(ACTIVE)))


class JobRunner:
    """Polls for jobs (every ``interval`` s) and runs them off the event loop."""

    def __init__(self, interval: float = 1.0, holder: str | None = None) -> None:
        self.interval = interval
        self.holder = holder or default_holder()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.to_thread(run_pending, self.holder)
            except Exception:
                log.exception("crm job runner pass failed; retrying")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
