"""The outbound waker: a live subscriber on the bus that wakes the sender after the
transaction that queued a message commits.

Every path that queues a message (a reply, a retry, a schedule, a campaign) records an
:class:`~whatsapp_saas.inbox.events.OutboundQueued` event; right after the commit the bus hands
the batch of them to :func:`attach`'s handler, which calls ``wake(jobs)`` on a notifier. That
runs in the committing thread: it must be cheap and never raise. Losing a wake-up costs latency
only: the sweeper finds the message after ``lost_after`` seconds.

- :class:`StreamNotifier` (Redis): hands the ids to a background thread that writes one taskiq
  wake-up per message to the delivery stream (its own event loop and broker connection, so it
  works from any thread and any loop).
- :class:`LocalNotifier` (embedded): hands the ids straight to the in-process pipeline.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.events import OutboundQueued
from whatsapp_saas.inbox.outbox import OutboundJob

log = logging.getLogger(__name__)


class StreamNotifier:
    def __init__(self, url: str) -> None:
        self.url = url
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Any = None
        self._started = False
        self._lock = threading.Lock()

    def wake(self, jobs: Sequence[OutboundJob]) -> None:
        ids = [job.message_id for job in jobs]
        if not ids:
            return
        loop = self._ensure_loop()
        try:
            asyncio.run_coroutine_threadsafe(self._kick(ids), loop)
        except RuntimeError:  # the loop closed under us (shutdown): the sweeper catches up
            log.debug("notifier closed; %d wake-ups left to the sweeper", len(ids))

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name="delivery-notifier", daemon=True
                )
                self._thread.start()
                self._loop = loop
            return self._loop

    async def _kick(self, ids: list[int]) -> None:
        from whatsapp_saas.delivery.worker.broker import make_broker
        from whatsapp_saas.delivery.worker.tasks import kick

        try:
            if self._broker is None:
                self._broker = make_broker(self.url)
            if not self._started:
                await self._broker.startup()  # creates the group if needed (taskiq notes)
                self._started = True
            await kick(ids, self._broker)
        except Exception as exc:
            log.warning(
                "%d wake-ups not written (%s); the sweeper will pick them up", len(ids), exc
            )

    def close(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return
        if self._broker is not None and self._started:
            done = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), loop)
            try:
                done.result(5)
            except Exception as exc:
                log.debug("notifier broker shutdown: %s", exc)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)


class LocalNotifier:
    def __init__(self, pipeline: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.pipeline = pipeline
        self.loop = loop

    def wake(self, jobs: Sequence[OutboundJob]) -> None:
        ids = [job.message_id for job in jobs]
        if ids and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.pipeline.submit_nowait, ids)


class Notifier(Protocol):
    def wake(self, jobs: Sequence[OutboundJob]) -> None: ...


def attach(bus: EventBus, notifier: Notifier) -> Callable[[], None]:
    """Make ``notifier`` hear every committed :class:`OutboundQueued`; returns the detach."""

    def on_queued(events: list[OutboundQueued]) -> None:
        jobs = [
            OutboundJob(e.tenant_id, e.number_id, e.message_id, e.wa_message_id) for e in events
        ]
        try:
            notifier.wake(jobs)
        except Exception:
            log.exception("outbound waker failed; the sweeper will pick the messages up")

    return bus.subscribe_batch(OutboundQueued, on_queued)
