"""The worker's send path: wake-ups in, micro-batches through claim, governor, send, record.

Every wake-up names one message. Wake-ups that arrive within a few milliseconds are handled
together: one claim statement, one governor round trip, one request per owning node, one
transaction for the outcomes. That is what lets two cores push hundreds of sends a second.
``submit`` returns when its message's batch is done (a taskiq task acknowledges only then).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.claim.claims import Claimed, Ref, claim_batch
from whatsapp_saas.delivery.common.jobs import SendJob, SendOutcome
from whatsapp_saas.delivery.common.settings import DeliverySettings
from whatsapp_saas.delivery.govern.governor import MAX_ROUNDS, Governor, Hold, Ticket
from whatsapp_saas.delivery.govern.policy import Limits, PolicyCache
from whatsapp_saas.delivery.record.batch import BatchResult, record_batch
from whatsapp_saas.delivery.record.outcomes import RetryPolicy
from whatsapp_saas.delivery.route.transport import Transport
from whatsapp_saas.models_base import utcnow

log = logging.getLogger(__name__)

T = TypeVar("T")
Dispatch = Callable[[list[int]], Awaitable[None]]


class Pipeline:
    def __init__(
        self, settings: DeliverySettings, transport: Transport, governor: Governor
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.governor = governor
        self.policies = PolicyCache(settings)
        self.retry = RetryPolicy(settings.max_attempts, settings.backoff_base, settings.backoff_cap)
        self._db_pool = ThreadPoolExecutor(
            max(4, settings.batch_concurrency * 2), thread_name_prefix="delivery-db"
        )
        self._slots = asyncio.Semaphore(settings.batch_concurrency)
        self._pending: dict[int, list[asyncio.Future[None]]] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._batches: set[asyncio.Task[None]] = set()
        self.totals = BatchResult()

    # --- wake-ups in --------------------------------------------------------------------------

    async def submit(self, message_id: int) -> None:
        """Handle one wake-up; returns when its batch is recorded (errors are logged there)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(message_id, []).append(future)
        self._kick()
        await future

    def submit_nowait(self, message_ids: Iterable[int]) -> None:
        """Queue wake-ups without waiting for them (the embedded notifier and chains)."""
        loop = asyncio.get_running_loop()
        for message_id in message_ids:
            future = loop.create_future()
            future.add_done_callback(_quiet)
            self._pending.setdefault(message_id, []).append(future)
        self._kick()

    def _kick(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        while self._pending:
            if len(self._pending) < self.settings.batch_size:
                await asyncio.sleep(self.settings.batch_wait)  # let a batch gather
            await self._slots.acquire()
            ids = list(self._pending)[: self.settings.batch_size]
            waiters = [f for i in ids for f in self._pending.pop(i)]
            task = asyncio.get_running_loop().create_task(self._run_batch(ids, waiters))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _run_batch(self, ids: list[int], waiters: list[asyncio.Future[None]]) -> None:
        try:
            await self.process(ids)
        except Exception:
            # The rows stay queued or sending: the sweeper brings them back. Never lost.
            log.exception("delivery batch of %d failed; the sweeper will retry it", len(ids))
        finally:
            self._slots.release()
            for future in waiters:
                if not future.done():
                    future.set_result(None)

    # --- one batch ----------------------------------------------------------------------------

    async def process(self, ids: Sequence[int]) -> BatchResult:
        claimed: list[Claimed] = await self.db(_claim, ids, utcnow())
        if not claimed:
            return BatchResult()
        refs = {c.ref.message_id: c.ref for c in claimed}
        tokens = {c.ref.message_id: c.ref.token.isoformat() for c in claimed}
        jobs = [c.job for c in claimed if c.job is not None]
        limits = await self._limits(jobs)
        total = await self._round(refs, [c for c in claimed if c.job is None], [], [])
        for round_no in range(MAX_ROUNDS):
            if not jobs:
                break
            last = round_no == MAX_ROUNDS - 1
            decision = await self.governor.admit(jobs, limits, tokens, last_round=last)
            outcomes = await self._send([job for job, _ in decision.admitted])
            await self._release_slots([t for _, t in decision.admitted if t is not None])
            result = await self._round(refs, [], outcomes, decision.held)
            _add(total, result)
            jobs = decision.retry
            if jobs:  # a short governor wait: serve it here rather than via the outbox
                await asyncio.sleep(max(decision.wait, 0.005))
        return total

    async def _round(
        self,
        refs: dict[int, Ref],
        unaddressable: list[Claimed],
        outcomes: list[SendOutcome],
        holds: list[Hold],
    ) -> BatchResult:
        if not (unaddressable or outcomes or holds):
            return BatchResult()
        result: BatchResult = await self.db(
            record_batch, refs, outcomes, holds, unaddressable, self.retry, utcnow()
        )
        self._count(result)
        if result.next_ids:
            self.submit_nowait(result.next_ids)  # the next message of each finished thread
        return result

    async def _limits(self, jobs: list[SendJob]) -> dict[int, Limits]:
        if not self.governor.enabled or not jobs:
            return {}
        numbers = {j.number_id for j in jobs}
        found: dict[int, Limits] = await self.db(_limits, self.policies, numbers)
        return found

    async def _send(self, jobs: list[SendJob]) -> list[SendOutcome]:
        if not jobs:
            return []
        outcomes = await self.transport.send(jobs)
        answered = {o.message_id for o in outcomes}
        missing = [j for j in jobs if j.message_id not in answered]
        if missing:  # a transport bug must not strand a claim: treat as transient
            log.error("transport answered %d of %d sends", len(outcomes), len(jobs))
            outcomes += [
                SendOutcome.failed(j.message_id, True, "delivery.reason_send_error", "no answer")
                for j in missing
            ]
        return outcomes

    async def _release_slots(self, tickets: list[Ticket]) -> None:
        try:
            await self.governor.done(tickets)
        except Exception as exc:  # slots then expire after the in-flight allowance
            log.warning("governor could not re-date %d slots: %s", len(tickets), exc)

    def _count(self, result: BatchResult) -> None:
        self.totals.sent += result.sent
        self.totals.retried += result.retried
        self.totals.failed += result.failed
        self.totals.held += result.held

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db_pool, fn, *args)

    async def close(self, timeout: float = 10.0) -> None:
        """Finish the batches in flight (graceful shutdown), then release resources."""
        deadline = asyncio.get_running_loop().time() + timeout
        while (self._pending or self._batches) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        await self.transport.close()
        self._db_pool.shutdown(wait=False)


def _claim(ids: Sequence[int], now: Any) -> list[Claimed]:
    with session_scope() as session:
        return claim_batch(session, message_ids=ids, now=now)


def _limits(cache: PolicyCache, numbers: set[int]) -> dict[int, Limits]:
    with session_scope() as session:
        return cache.limits(session, numbers, utcnow())


def _add(total: BatchResult, more: BatchResult) -> None:
    total.sent += more.sent
    total.retried += more.retried
    total.failed += more.failed
    total.held += more.held
    total.next_ids += more.next_ids


def _quiet(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()
