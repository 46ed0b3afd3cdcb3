"""Running the scheduler: inside the web app (embedded) or as its own process.

Settings come from the environment with a ``SCHEDULER_`` prefix (``SCHEDULER_IN_APP``,
``SCHEDULER_INTERVAL``, ``SCHEDULER_LATE_AFTER``, ``SCHEDULER_LEASE_TTL``). Running it in every
web worker and as a separate process at once is safe: the lease picks one leader and the
claims make any overlap harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from pydantic_settings import BaseSettings, SettingsConfigDict

from whatsapp_saas.scheduling.scheduler import Scheduler, SchedulerConfig

log = logging.getLogger(__name__)


class SchedulerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULER_", env_file=".env", extra="ignore")

    in_app: bool = True
    interval: float = 0.5
    late_after: float = 30.0
    lease_ttl: float = 5.0

    def config(self) -> SchedulerConfig:
        return SchedulerConfig(
            interval=self.interval, late_after=self.late_after, lease_ttl=self.lease_ttl
        )


_running: tuple[Scheduler, asyncio.Task[None]] | None = None


async def start_embedded_scheduler(config: SchedulerConfig | None = None) -> Scheduler:
    """Start the scheduler loop as a task on the running event loop (idempotent)."""
    global _running
    if _running is not None and not _running[1].done():
        return _running[0]
    scheduler = Scheduler(config or SchedulerSettings().config())
    task = asyncio.create_task(scheduler.run(), name="scheduler")
    _running = (scheduler, task)
    return scheduler


async def stop_embedded_scheduler(timeout: float = 10.0) -> None:
    """Stop the loop started by :func:`start_embedded_scheduler` and hand over its lease."""
    global _running
    if _running is None:
        return
    scheduler, task = _running
    _running = None
    scheduler.stop()
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout)
    except TimeoutError:
        log.warning("scheduler did not stop in %.0fs; cancelling it", timeout)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
