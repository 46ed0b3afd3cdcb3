"""The delivery task and the worker process's startup/shutdown.

A wake-up (``deliver(message_id)``) carries only the id: the outbox row is the truth. The task
returns once the message's batch is recorded, so the stream entry is acknowledged only after
the claim has been settled one way or another; if the worker dies first, the entry is
reclaimed by another worker and the claim itself is recovered by the sweeper.

The worker's process graph (``bootstrap(settings, Role.WORKER)``) is built at worker startup
and kept on taskiq's own per-worker :class:`TaskiqState` (``state.graph``); tasks receive that
state through taskiq's dependency injection. No module-level runtime.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from taskiq import TaskiqDepends, TaskiqEvents, TaskiqState

from whatsapp_saas.delivery.common.settings import delivery_settings
from whatsapp_saas.delivery.worker.assembly import DeliveryRuntime
from whatsapp_saas.delivery.worker.broker import broker

if TYPE_CHECKING:
    from whatsapp_saas.bootstrap import App

log = logging.getLogger(__name__)

KICK_CONCURRENCY = 50  # stream writes in flight at once


@broker.task(task_name="delivery.deliver")
async def deliver(message_id: int, state: TaskiqState = TaskiqDepends()) -> None:
    await _runtime_or_fail(state).pipeline.submit(message_id)


@broker.task(task_name="delivery.deliver_many")
async def deliver_many(message_ids: list[int], state: TaskiqState = TaskiqDepends()) -> None:
    """Many wake-ups in one stream entry: what a transaction that queued many messages (a
    campaign batch, a sweep) writes, so the queue costs per batch rather than per message."""
    pipeline = _runtime_or_fail(state).pipeline
    await asyncio.gather(*(pipeline.submit(message_id) for message_id in message_ids))


def _runtime_or_fail(state: TaskiqState) -> DeliveryRuntime:
    graph: App | None = getattr(state, "graph", None)
    if graph is None or graph.delivery_runtime is None:  # a producer never runs tasks
        raise RuntimeError("the delivery runtime is not started in this process")
    return graph.delivery_runtime


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
    from whatsapp_saas.bootstrap import Role, bootstrap
    from whatsapp_saas.config import get_settings
    from whatsapp_saas.logging_setup import configure_logging

    settings = get_settings()  # validated: production without DATABASE_URL stops here
    configure_logging(settings)
    graph = bootstrap(settings, Role.WORKER)
    await graph.start()
    state.graph = graph
    log.info("delivery worker started")


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _worker_shutdown(state: TaskiqState) -> None:
    graph: App | None = getattr(state, "graph", None)
    state.graph = None
    if graph is not None:
        await graph.stop()
    log.info("delivery worker stopped")
