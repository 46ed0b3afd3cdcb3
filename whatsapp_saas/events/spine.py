"""Running the durable subscribers in a process: ``start_spine_runner`` / ``stop``.

The same runner works in both modes, over the same table:
- embedded (no Redis): it hears this process's bus, so it wakes right after each commit;
- Redis mode: committing processes publish a wake-up on a Redis channel (see
  :class:`~whatsapp_saas.events.wake.RedisWakePublisher`, installed by bootstrap), and the
  runner listens to it.
Either way it also polls every ``poll_interval`` seconds, so a lost wake-up only delays.
Each subscriber has its own loop, so a slow or failing one never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from whatsapp_saas.config import Settings
from whatsapp_saas.db import session_scope
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.codec import EventRegistry
from whatsapp_saas.events.retention import prune
from whatsapp_saas.events.runner import DurableRunner
from whatsapp_saas.events.subscriber import Subscriber
from whatsapp_saas.events.wake import LocalWake, channel_for, listen_redis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpineOptions:
    poll_interval: float = 2.0
    retention: timedelta = timedelta(hours=72)
    prune_every: float = 600.0
    redis_url: str | None = None
    channel: str = "events:wake"


@dataclass
class RunningSpine:
    runner: DurableRunner
    wake: LocalWake
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    detach: Callable[[], None] | None = None

    async def stop(self) -> None:
        """Stop the loops; a pass in flight finishes its transaction or rolls back."""
        if self.detach is not None:
            self.detach()
            self.detach = None
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()


async def start_spine_runner(
    *,
    bus: EventBus,
    subscribers: list[Subscriber],
    registry: EventRegistry,
    options: SpineOptions | None = None,
) -> RunningSpine:
    """Start the durable subscribers on the running loop; ``await handle.stop()`` at exit."""
    options = options or SpineOptions()
    wake = LocalWake(asyncio.get_running_loop())
    spine = RunningSpine(DurableRunner(subscribers, registry), wake)
    spine.detach = bus.subscribe_batch(object, wake.on_events)
    for sub in subscribers:
        listener = wake.listener(sub.types)
        spine.tasks.append(asyncio.create_task(_loop(spine.runner, sub, listener, options),
                                               name=f"spine:{sub.name}"))  # fmt: skip
    spine.tasks.append(asyncio.create_task(_prune_loop(options), name="spine:retention"))
    if options.redis_url:
        listen = listen_redis(options.redis_url, options.channel, wake)
        spine.tasks.append(asyncio.create_task(listen, name="spine:wake"))
    log.info("durable subscribers running: %s", ", ".join(s.name for s in subscribers))
    return spine


async def _loop(
    runner: DurableRunner, sub: Subscriber, listener: asyncio.Event, options: SpineOptions
) -> None:
    failures = 0
    while True:
        listener.clear()
        try:
            while (await asyncio.to_thread(runner.pass_once, sub)).more:
                listener.clear()
            failures = 0
        except Exception:
            failures += 1
            log.exception("durable subscriber %s: pass failed (%d in a row)", sub.name, failures)
            await asyncio.sleep(min(30.0, options.poll_interval * 2**failures))
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener.wait(), options.poll_interval)


async def _prune_loop(options: SpineOptions) -> None:
    while True:
        try:
            removed = await asyncio.to_thread(_prune_once, options.retention)
            if removed:
                log.info("events: pruned %d", removed)
        except Exception:
            log.exception("events: pruning failed; will try again")
        await asyncio.sleep(options.prune_every)


def _prune_once(grace: timedelta) -> int:
    with session_scope() as session:
        return prune(session, grace=grace)


def spine_options(settings: Settings) -> SpineOptions:
    """The runner's options from the app's settings (Redis wake-ups when REDIS_URL is set)."""
    return SpineOptions(
        poll_interval=settings.events_poll_seconds,
        retention=timedelta(hours=settings.events_retention_hours),
        redis_url=settings.redis_url,
        channel=channel_for(settings.effective_database_url),
    )
