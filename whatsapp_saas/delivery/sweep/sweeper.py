"""The sweeper: finds outbox work that nobody is doing and dispatches it again.

Each pass (every ``sweep_interval`` seconds):
1. attempts left in ``sending`` past ``sending_timeout`` (their worker died) go back to
   ``queued`` as a failed attempt, or, when nobody can know whether they reached the phone and
   a resend would not be deduplicated (neonize), to ``failed`` with a reason that says so;
2. queued messages that are due and were never woken since (a backoff or governor hold ended),
   or whose wake-up is older than ``lost_after`` (lost with a dead worker or an emptied Redis),
   are dispatched again.

With Redis only one worker process sweeps at a time (a short lease); duplicates would be
harmless anyway, because claims are exclusive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Literal

import redis
import redis.asyncio as aioredis

from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.common import keys, reasons
from whatsapp_saas.delivery.common.settings import DeliverySettings
from whatsapp_saas.delivery.record.outcomes import (
    RetryPolicy,
    record_failed,
    record_retry,
    upsert_states,
)
from whatsapp_saas.delivery.sweep.queries import (
    Due,
    dispatch_rows,
    due_for_dispatch,
    numbers_holding_bulk,
    purge_send_log,
    stale_sending,
)
from whatsapp_saas.models_base import utcnow

log = logging.getLogger(__name__)

Dispatch = Callable[[list[int]], Awaitable[None]]
Unknown = Literal["retry", "fail"]
PURGE_EVERY = 600  # passes


class Sweeper:
    def __init__(
        self,
        settings: DeliverySettings,
        dispatch: Dispatch,
        *,
        unknown_outcome: Unknown,
        redis_client: aioredis.Redis | None = None,
        lost_after: float | None = None,
    ) -> None:
        self.settings = settings
        self.lost_after = settings.lost_after if lost_after is None else lost_after
        self.dispatch = dispatch
        self.unknown_outcome = unknown_outcome
        self.redis = redis_client
        self.retry = RetryPolicy(settings.max_attempts, settings.backoff_base, settings.backoff_cap)
        self.me = secrets.token_hex(6)
        self._stop = asyncio.Event()
        self._passes = 0

    async def run(self, first_pass_cutoff: float | None = None) -> None:
        """Sweep until stopped. ``first_pass_cutoff`` (seconds) overrides the stale timeout
        once: a single-process app that just started knows nothing it claimed is in flight."""
        cutoff = first_pass_cutoff
        while not self._stop.is_set():
            try:
                if await self._lead():
                    await self.sweep_once(stale_after=cutoff)
                    cutoff = None
            except Exception:
                log.exception("sweep pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.settings.sweep_interval)

    def stop(self) -> None:
        self._stop.set()

    async def sweep_once(self, stale_after: float | None = None) -> int:
        """One pass; returns how many messages it dispatched."""
        timeout = self.settings.sending_timeout if stale_after is None else stale_after
        requeued = await asyncio.to_thread(self._unstick, timeout)
        dues = await asyncio.to_thread(self._due)
        ids = sorted({*requeued, *(d.message_id for d in dues)})
        if ids:
            log.info(
                "sweeper dispatches %d messages (%d were stuck in sending)", len(ids), len(requeued)
            )
            await self.dispatch(ids)
        self._passes += 1
        if self._passes % PURGE_EVERY == 1:
            await asyncio.to_thread(self._purge)
        return len(ids)

    def _unstick(self, timeout: float) -> list[int]:
        now = utcnow()
        with session_scope() as session:
            stale = stale_sending(session, cutoff=now - timedelta(seconds=timeout))
            requeued = []
            for ref in stale:
                if self.unknown_outcome == "fail":
                    record_failed(session, ref=ref, reason=reasons.OUTCOME_UNKNOWN, now=now)
                    continue
                failure = reasons.Failure(
                    True, reasons.SEND_ERROR, "attempt abandoned (worker died)"
                )
                if record_retry(
                    session, ref=ref, failure=failure, now=now, policy=self._prompt_retry()
                ):
                    requeued.append(ref.message_id)
            return requeued

    def _prompt_retry(self) -> RetryPolicy:
        """A dead worker is not the message's fault: count the attempt, retry at once."""
        return RetryPolicy(self.retry.max_attempts, 0.0, 0.0)

    def _due(self) -> list[Due]:
        now = utcnow()
        lost = now - timedelta(seconds=self.lost_after)
        with session_scope() as session:
            dues = due_for_dispatch(
                session, now=now, lost_cutoff=lost, per_number=self.settings.batch_size
            )
            if self.settings.governor_enabled:
                dues = _one_bulk_per_number(dues, numbers_holding_bulk(session, now=now))
            upsert_states(session, rows=dispatch_rows(dues, now), now=now)
            return dues

    def _purge(self) -> None:
        with session_scope() as session:
            purge_send_log(session, before=utcnow() - timedelta(days=2))

    async def _lead(self) -> bool:
        """Whether this process sweeps now (always, without Redis)."""
        if self.redis is None:
            return True
        ttl = int(max(self.settings.sweep_interval * 3, 1) * 1000)
        try:
            leader = keys.dlv("sweeper")
            if await self.redis.set(leader, self.me, nx=True, px=ttl):
                return True
            if (await self.redis.get(leader) or b"").decode() == self.me:
                await self.redis.pexpire(leader, ttl)
                return True
        except (redis.RedisError, OSError) as exc:
            log.debug("sweeper lease unavailable: %s", exc)
        return False


def _one_bulk_per_number(dues: list[Due], holding: set[int]) -> list[Due]:
    """Bulk messages of a number the governor is spacing out wait their turn one at a time:
    waking them all would only have each claimed and held again."""
    picked, seen = [], set()
    for due in dues:
        if due.bulk and (due.number_id in holding or due.number_id in seen):
            continue
        if due.bulk:
            seen.add(due.number_id)
        picked.append(due)
    return picked
