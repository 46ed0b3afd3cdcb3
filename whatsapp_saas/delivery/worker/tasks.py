"""The delivery task and the worker process's startup/shutdown.

A wake-up (``deliver(message_id)``) carries only the id: the outbox row is the truth. The task
returns once the message's batch is recorded, so the stream entry is acknowledged only after
the claim has been settled one way or another; if the worker dies first, the entry is
reclaimed by another worker and the claim itself is recovered by the sweeper.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from taskiq import TaskiqEvents, TaskiqState

from whatsapp_saas.delivery.common.settings import delivery_settings
from whatsapp_saas.delivery.worker.assembly import DeliveryRuntime, redis_runtime
from whatsapp_saas.delivery.worker.broker import broker

log = logging.getLogger(__name__)

KICK_CONCURRENCY = 50  # stream writes in flight at once

_runtime: DeliveryRuntime | None = None


@broker.task(task_name="delivery.deliver")
async def deliver(message_id: int) -> None:
    await _runtime_or_fail().pipeline.submit(message_id)


@broker.task(task_name="delivery.deliver_many")
async def deliver_many(message_ids: list[int]) -> None:
    """Many wake-ups in one stream entry: what a transaction that queued many messages (a
    campaign batch, a sweep) writes, so the queue costs per batch rather than per message."""
    pipeline = _runtime_or_fail().pipeline
    await asyncio.gather(*(pipeline.submit(message_id) for message_id in message_ids))


def _runtime_or_fail() -> DeliveryRuntime:
    if _runtime is None:  # a producer-only process never runs tasks
        raise RuntimeError("the delivery runtime is not started in this process")
    return _runtime


async def kick(message_ids: list[int], target: Any = None) -> None:
    """Write the wake-ups for ``message_ids`` (``target``: another broker, e.g. a producer's)."""
    single = deliver.kicker() if target is None else deliver.kicker().with_broker(target)
    many = deliver_many.kicker() if target is None else deliver_many.kicker().with_broker(target)
    size = delivery_settings().batch_size
    chunks = [message_ids[i : i + size] for i in range(0, len(message_ids), size)]
    for start in range(0, len(chunks), KICK_CONCURRENCY):
        await asyncio.gather(
            *(
                single.kiq(chunk[0]) if len(chunk) == 1 else many.kiq(chunk)
                for chunk in chunks[start : start + KICK_CONCURRENCY]
            )
        )


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _worker_startup(state: TaskiqState) -> None:
    global _runtime
    from whatsapp_saas.bootstrap import bootstrap
    from whatsapp_saas.config import get_settings
    from whatsapp_saas.events.bus import bus
    from whatsapp_saas.logging_setup import configure_logging

    settings = get_settings()
    configure_logging(settings)
    bootstrap()
    bus.bind_loop(asyncio.get_running_loop())
    if not settings.redis_url:
        raise RuntimeError("taskiq workers need REDIS_URL (embedded mode runs in the app)")
    _runtime = redis_runtime(settings.redis_url, delivery_settings(), kick)
    _runtime.start()
    log.info("delivery worker started")


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _worker_shutdown(state: TaskiqState) -> None:
    global _runtime
    runtime, _runtime = _runtime, None
    if runtime is not None:
        await runtime.stop()
    log.info("delivery worker stopped")
