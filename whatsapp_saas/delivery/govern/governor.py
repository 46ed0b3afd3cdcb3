"""The send governor: may this number send this message now?

Per number: a sliding-window rate (all sends), random spacing between bulk sends (campaigns and
schedules), a bulk daily cap that ramps up for newly linked numbers, and a cap on the share of
the window bulk may use, so live replies always find room. Per tenant: quiet hours (bulk waits,
live replies do not), a per-minute quota and a bulk daily quota.

Short waits are served in the worker (at most ``hold_max`` seconds); longer ones hand the
message back to the outbox with a due time, which the sweeper honours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from whatsapp_saas.delivery.common.jobs import SendJob
from whatsapp_saas.delivery.common.settings import DeliverySettings
from whatsapp_saas.delivery.govern.admission import Admission, Limiter, Verdict, Why
from whatsapp_saas.delivery.govern.policy import Limits, local_day, quiet_until
from whatsapp_saas.models_base import utcnow

# Longer waits go back to the outbox; a window blocked by sends still in flight frees up as
# soon as they finish, so look again soon rather than trusting the worst case.
RECHECK_CAP = 5.0
MAX_ROUNDS = 4  # in-worker waits per batch


@dataclass(frozen=True, slots=True)
class Hold:
    job: SendJob
    until: datetime
    why: str


@dataclass(frozen=True, slots=True)
class Ticket:
    admission: Admission
    value: Any


@dataclass
class Decision:
    admitted: list[tuple[SendJob, Ticket | None]] = field(default_factory=list)
    held: list[Hold] = field(default_factory=list)
    # Jobs to ask about again after ``wait`` seconds, in this worker (the wait is short).
    retry: list[SendJob] = field(default_factory=list)
    wait: float = 0.0


class Governor:
    def __init__(self, settings: DeliverySettings, limiter: Limiter | None) -> None:
        self.settings = settings
        self.limiter = limiter
        self.enabled = settings.governor_enabled and limiter is not None

    async def admit(
        self,
        jobs: list[SendJob],
        limits: dict[int, Limits],
        attempt_tokens: dict[int, str],
        last_round: bool = True,
    ) -> Decision:
        """Split ``jobs`` into: may go now, ask again shortly (unless ``last_round``), wait in
        the outbox until a due time."""
        if not self.enabled or not jobs:
            return Decision(admitted=[(job, None) for job in jobs])
        assert self.limiter is not None
        now = utcnow()
        decision = Decision()
        pending: list[Admission] = []
        by_message: dict[int, SendJob] = {}
        for job in jobs:
            lim = limits[job.number_id]
            quiet_end = quiet_until(now, lim.timezone, lim.quiet) if job.bulk else None
            if quiet_end is not None:
                decision.held.append(Hold(job, quiet_end, Why.QUIET.value))
                continue
            by_message[job.message_id] = job
            pending.append(self._admission(job, lim, now, attempt_tokens[job.message_id]))
        verdicts = await self.limiter.admit_many(pending, self.settings.inflight_max)
        for req, verdict in zip(pending, verdicts, strict=True):
            self._sort(by_message[req.message_id], req, verdict, decision, last_round)
        return decision

    def _sort(
        self, job: SendJob, req: Admission, verdict: Verdict, decision: Decision, last: bool
    ) -> None:
        if verdict.ok:
            decision.admitted.append((job, Ticket(req, verdict.ticket)))
        elif verdict.why in (Why.DAILY_CAP, Why.TENANT_DAY):
            decision.held.append(Hold(job, req.day_end, str(verdict.why)))
        elif verdict.wait <= self.settings.hold_max and not last:
            decision.retry.append(job)
            first = len(decision.retry) == 1
            decision.wait = verdict.wait if first else min(decision.wait, verdict.wait)
        else:
            until = utcnow() + timedelta(seconds=min(verdict.wait, RECHECK_CAP))
            decision.held.append(Hold(job, until, str(verdict.why)))

    def _admission(self, job: SendJob, lim: Limits, now: datetime, token: str) -> Admission:
        start, end = local_day(now, lim.timezone)
        gap = lim.bulk_gap + random.uniform(0.0, lim.bulk_jitter) if job.bulk else 0.0
        return Admission(
            tenant_id=job.tenant_id,
            number_id=job.number_id,
            message_id=job.message_id,
            member=f"{job.message_id}:{token}",
            bulk=job.bulk,
            limits=lim,
            gap=gap,
            day_start=start,
            day_end=end,
        )

    async def done(self, tickets: list[Ticket]) -> None:
        """The sends finished (either way): their slots now date from their completion."""
        if self.enabled and tickets and self.limiter is not None:
            await self.limiter.done([(t.admission, t.value) for t in tickets])
