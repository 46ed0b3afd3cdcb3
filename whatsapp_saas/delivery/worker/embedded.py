"""Delivery inside the web app's process: what its lifespan starts and stops.

Without ``REDIS_URL`` (embedded mode) this runs the senders themselves: in-process workers fed
by the outbound waker (a live subscriber on the bus) and by a sweeper that reads the same
outbox table, so a restart loses nothing (on SQLite, the one process that just started knows
that nothing is in flight, so it resumes interrupted attempts at once).

With ``REDIS_URL`` the senders are ``taskiq worker`` processes; bootstrap already put the
waker that writes wake-ups on the bus (``App.outbox_waker``), so here we only keep a send
agent for the manager node if it runs in this process (``App.send_agents``).

One :class:`EmbeddedDelivery` belongs to the process graph (``App.delivery``, built by
:func:`whatsapp_saas.bootstrap.bootstrap`); it holds its own state, nothing is module-level.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from whatsapp_saas.config import Settings
from whatsapp_saas.delivery.common.settings import DeliverySettings, delivery_settings
from whatsapp_saas.delivery.send.agent import SendAgents
from whatsapp_saas.delivery.worker import notifier as notifiers
from whatsapp_saas.delivery.worker.assembly import DeliveryRuntime, embedded_runtime
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.whatsapp.drivers.registry import DriverSpec
from whatsapp_saas.whatsapp.manager.local import LocalNodes

log = logging.getLogger(__name__)

AGENT_CHECK_EVERY = 2.0


class EmbeddedDelivery:
    def __init__(
        self,
        settings: Settings,
        driver: DriverSpec,
        bus: EventBus,
        config: DeliverySettings | None = None,
        *,
        nodes: LocalNodes,
        agents: SendAgents,
    ) -> None:
        """``nodes``: this process's manager nodes (the in-process sends go to them);
        ``agents``: their send agents (with Redis)."""
        self.settings = settings
        self.nodes = nodes
        self.agents = agents
        self.driver = driver
        self.bus = bus
        self.config = config or delivery_settings()
        self.runtime: DeliveryRuntime | None = None
        self._detach: Callable[[], None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    async def start(self) -> DeliveryRuntime | None:
        """Start delivery in this process (idempotent); returns the runtime in embedded mode."""
        if self._started:
            return self.runtime
        self._started = True
        loop = asyncio.get_running_loop()
        if self.settings.redis_url:
            self._tasks.append(loop.create_task(_keep_agents(self.agents)))
        else:
            self.runtime = embedded_runtime(
                self.config, keeps_ids=self.driver.fixed_message_ids, nodes=self.nodes
            )
            self.runtime.start(first_pass_cutoff=0.0 if self.settings.is_sqlite else None)
            local = notifiers.LocalNotifier(self.runtime.pipeline, loop)
            self._detach = notifiers.attach(self.bus, local)
        log.info("delivery started (%s)", "agents" if self.settings.redis_url else "embedded")
        return self.runtime

    async def stop(self) -> None:
        """Graceful: batches in flight are recorded before the process goes."""
        if not self._started:
            return
        self._started = False
        detach, self._detach = self._detach, None
        if detach is not None:
            detach()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            await runtime.stop()
        await self.agents.stop()


async def _keep_agents(agents: SendAgents) -> None:
    """The manager node may start after us (or restart): give every node here an agent."""
    while True:
        try:
            agents.ensure()
        except Exception:
            log.exception("starting send agents failed")
        await asyncio.sleep(AGENT_CHECK_EVERY)
