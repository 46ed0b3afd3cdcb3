"""Running the scheduler: inside the web app (embedded) or as its own process.

Settings come from the environment with a ``SCHEDULER_`` prefix (``SCHEDULER_IN_APP``,
``SCHEDULER_INTERVAL``, ``SCHEDULER_LATE_AFTER``, ``SCHEDULER_LEASE_TTL``). Running it in every
web worker and as a separate process at once is safe: the lease picks one leader and the
claims make any overlap harmless.

A process that runs the scheduler holds one :class:`SchedulerLoop` in its graph
(``App.scheduler``, built by :func:`whatsapp_saas.bootstrap.bootstrap`).
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


class SchedulerLoop:
    """The scheduler's loop as a task of the running event loop: start, then stop."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> Scheduler:
        """Start the loop (idempotent)."""
        if not self.running:
            self._task = asyncio.create_task(self.scheduler.run(), name="scheduler")
        return self.scheduler

    async def run(self) -> None:
        """Run in the foreground until :meth:`Scheduler.stop` (the standalone process)."""
        await self.scheduler.run()

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop and hand over its lease."""
        task, self._task = self._task, None
        if task is None:
            return
        self.scheduler.stop()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            log.warning("scheduler did not stop in %.0fs; cancelling it", timeout)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
