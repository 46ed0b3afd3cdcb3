"""The inbound pipeline: the sink the connection manager hands every inbound event to.

``submit`` queues the event; one worker task drains the queue, storing whatever has piled up
in one transaction (so it batches exactly when busy and stores one by one when idle): the
messages and their :class:`~whatsapp_saas.inbox.events.MessageReceived` events go into the
events table together, in one bulk statement per batch (see ``events/store.py``), so the
durable subscribers (follow-ups, opt-outs, later automations) get every stored message even if
this process dies right after the commit. After commit it starts the media downloads and the
in-process inbox hooks (:mod:`.hooks`, best effort) in the background.
Typing signals are never stored: they become a transient :class:`TypingIndicated` at once.

``submit`` returns each event's :data:`~whatsapp_saas.whatsapp.events.Committed` future without
waiting for it: True once the transaction holding the event committed (a duplicate or a
deliberately skipped event counts: nothing more will ever be stored for it), False if it could
not be stored. The connection manager acks the event to the network only then; a batch
resolves all its futures at once, so batching across events and numbers is unaffected.

:func:`whatsapp_saas.bootstrap.bootstrap` builds one per process that runs a connection manager
and hands its ``submit`` to the manager node as the node's inbound sink.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.events import TypingIndicated
from whatsapp_saas.inbox.hooks import InboxHooks
from whatsapp_saas.inbox.ingest import IngestResult, Persistable, ingest_batch
from whatsapp_saas.inbox.media_download import MediaDownloader
from whatsapp_saas.inbox.typing_lookup import TypingLookup
from whatsapp_saas.whatsapp.events import Committed, InboundEvent, TypingChanged

log = logging.getLogger(__name__)

Item = tuple[Persistable, Committed]


class IngestPipeline:
    def __init__(
        self,
        *,
        bus: EventBus,
        max_batch: int = 500,
        queue_size: int = 20_000,
        wait_for_commit: bool = False,
        downloader: MediaDownloader | None = None,
        retry_cap: float = 30.0,
        hook_concurrency: int = 8,
        hooks: InboxHooks | None = None,
    ) -> None:
        self.max_batch = max_batch
        self.queue_size = queue_size
        # True: submit returns only once the event is committed (slower: no batching per
        # number, since the manager handles one number's events one at a time).
        self.wait_for_commit = wait_for_commit
        self.downloader = downloader
        self.retry_cap = retry_cap
        self.hook_concurrency = hook_concurrency
        self.hooks = hooks if hooks is not None else InboxHooks()
        self.bus = bus  # the graph's: typing signals are published on it straight away
        self.typing = TypingLookup()
        self._hook_slots: asyncio.Semaphore | None = None
        self._queue: asyncio.Queue[Item] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._background: set[asyncio.Task[None]] = set()
        # Ingest gets its own thread: hooks and downloads (on the default executor) can pile
        # up without ever delaying the next batch.
        self._executor: ThreadPoolExecutor | None = None
        self.batches = 0
        self.stored = 0
        self.duplicates = 0
        self.failed = 0

    # --- the sink ---------------------------------------------------------------------------

    async def submit(self, event: InboundEvent) -> Committed | None:
        """Queue ``event``; its future resolves once it is committed (None for typing)."""
        if isinstance(event, TypingChanged):
            await self._typing(event)
            return None
        queue = self._ensure_worker()
        committed: Committed = asyncio.get_running_loop().create_future()
        await queue.put((event, committed))  # waits when full: back-pressure on the engines
        if self.wait_for_commit:
            await committed
        return committed

    def _ensure_worker(self) -> asyncio.Queue[Item]:
        loop = asyncio.get_running_loop()
        if self._queue is None or self._loop is not loop or self._worker is None:
            self._loop = loop
            self._queue = asyncio.Queue(self.queue_size)
            self._hook_slots = asyncio.Semaphore(self.hook_concurrency)
            self._worker = loop.create_task(self._work(self._queue), name="inbox-ingest")
        return self._queue

    async def _work(self, queue: asyncio.Queue[Item]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                await self._store(batch)
            except Exception:
                log.exception("inbox ingest worker: batch of %d lost", len(batch))
            finally:
                for _ in batch:
                    queue.task_done()

    async def _store(self, batch: list[Item]) -> None:
        pending = [event for event, _ in batch]
        delay = min(0.5, self.retry_cap)
        try:
            while pending:
                result = await self._in_thread(pending)
                self._count(result)
                _resolve(batch, result)  # before the hooks: acks wait for nothing else
                self._spawn(self._after_commit(result))
                pending = result.retry  # the database is away: keep them until it is back
                if pending:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.retry_cap)
        finally:
            _abandon(batch)  # an error or a stop: whatever is unresolved was not stored

    async def _in_thread(self, events: list[Persistable]) -> IngestResult:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="inbox-ingest")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, ingest_batch, events)

    def _count(self, result: IngestResult) -> None:
        self.batches += 1
        self.stored += len(result.outcome.stored)
        self.duplicates += result.outcome.duplicates
        self.failed += len(result.failed)

    async def _after_commit(self, result: IngestResult) -> None:
        if self.downloader is not None:
            for message_id in result.outcome.media_message_ids:
                self._spawn(self.downloader.download(message_id))
        await self.hooks.run(result.outcome.stored, slots=self._hook_slots)

    async def _typing(self, event: TypingChanged) -> None:
        conversation_id = await asyncio.to_thread(
            self.typing.conversation_for_chat, event.tenant_id, event.number_id, event.chat
        )
        if conversation_id is not None:
            self.bus.publish(
                TypingIndicated(
                    event.tenant_id, event.number_id, conversation_id, event.typing, event.recording
                )
            )

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- lifecycle --------------------------------------------------------------------------

    async def flush(self) -> None:
        """Wait until everything submitted is stored and its hooks and downloads are done."""
        if self._queue is not None and self._loop is asyncio.get_running_loop():
            await self._queue.join()
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def stop(self, timeout: float = 10.0) -> None:
        """Store what is queued (bounded by ``timeout``), then stop the worker."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), timeout)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        self._worker = None
        if self._queue is not None:
            _abandon(_drain(self._queue))
        self._queue = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


def _resolve(batch: list[Item], result: IngestResult) -> None:
    """After a commit: True for the batch's events it settled, False for those that failed;
    events waiting for a retry stay unresolved."""
    retry = {id(event) for event in result.retry}
    failed = {id(event) for event in result.failed}
    for event, committed in batch:
        if not committed.done() and id(event) not in retry:
            committed.set_result(id(event) not in failed)


def _abandon(batch: list[Item]) -> None:
    for _, committed in batch:
        if not committed.done():
            committed.set_result(False)


def _drain(queue: asyncio.Queue[Item]) -> list[Item]:
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items
