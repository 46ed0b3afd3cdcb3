"""Assembling a delivery runtime: pipeline, transport, governor and sweeper, per mode.

- :func:`redis_runtime`, in each ``taskiq worker`` process: Redis transport to the owning
  node, Redis limiter, sweeper elected through Redis, dispatch through the stream.
- :func:`embedded_runtime`, in the app process without Redis: local transport (the node is
  in this process), database limiter, dispatch straight into the local pipeline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from whatsapp_saas.delivery.common.settings import DeliverySettings
from whatsapp_saas.delivery.govern.db_limiter import DbLimiter
from whatsapp_saas.delivery.govern.governor import Governor
from whatsapp_saas.delivery.govern.redis_limiter import RedisLimiter
from whatsapp_saas.delivery.route.redis_transport import RedisTransport
from whatsapp_saas.delivery.route.transport import LocalTransport
from whatsapp_saas.delivery.send.agent import redis_client
from whatsapp_saas.delivery.sweep.sweeper import Sweeper
from whatsapp_saas.delivery.worker.send_pipeline import Pipeline

if TYPE_CHECKING:
    from whatsapp_saas.whatsapp.manager.local import LocalNodes

log = logging.getLogger(__name__)

Dispatch = Callable[[list[int]], Awaitable[None]]


class DeliveryRuntime:
    def __init__(
        self, pipeline: Pipeline, sweeper: Sweeper, closers: list[Callable[[], Awaitable[None]]]
    ) -> None:
        self.pipeline = pipeline
        self.sweeper = sweeper
        self._closers = closers
        self._sweeping: asyncio.Task[None] | None = None

    def start(self, first_pass_cutoff: float | None = None) -> None:
        loop = asyncio.get_running_loop()
        self._sweeping = loop.create_task(self.sweeper.run(first_pass_cutoff))

    async def stop(self, timeout: float = 10.0) -> None:
        """Graceful: no new sweeps, batches in flight finish (their claims get recorded)."""
        self.sweeper.stop()
        if self._sweeping is not None:
            await asyncio.gather(self._sweeping, return_exceptions=True)
        await self.pipeline.close(timeout)
        for close in self._closers:
            try:
                await close()
            except Exception as exc:
                log.debug("closing delivery resource failed: %s", exc)


class WorkerDelivery:
    """A taskiq worker's delivery, as the process graph holds it: built at start, in the
    worker's event loop (its Redis connections belong to that loop)."""

    def __init__(self, url: str, config: DeliverySettings | None, dispatch: Dispatch) -> None:
        self.url = url
        self.config = config
        self.dispatch = dispatch
        self.runtime: DeliveryRuntime | None = None

    async def start(self) -> DeliveryRuntime:
        if self.runtime is None:
            from whatsapp_saas.delivery.common.settings import delivery_settings

            config = self.config or delivery_settings()
            self.runtime = redis_runtime(self.url, config, self.dispatch)
            self.runtime.start()
        return self.runtime

    async def stop(self) -> None:
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            await runtime.stop()


def redis_runtime(url: str, settings: DeliverySettings, dispatch: Dispatch) -> DeliveryRuntime:
    client = redis_client(url)
    governor = Governor(settings, RedisLimiter(client))
    pipeline = Pipeline(settings, RedisTransport(client, settings.rpc_timeout), governor)
    # Agents' markers decide whether a resend is safe, so stuck attempts are always retried.
    sweeper = Sweeper(settings, dispatch, unknown_outcome="retry", redis_client=client)
    return DeliveryRuntime(pipeline, sweeper, [client.aclose])


def embedded_runtime(
    settings: DeliverySettings, *, keeps_ids: bool, nodes: LocalNodes
) -> DeliveryRuntime:
    """``keeps_ids``: the driver's ``fixed_message_ids`` capability (see the registry);
    ``nodes``: this process's manager nodes, which perform the sends."""
    governor = Governor(settings, DbLimiter())
    pipeline = Pipeline(settings, LocalTransport(keeps_ids, nodes), governor)

    async def dispatch(ids: list[int]) -> None:
        pipeline.submit_nowait(ids)

    # Without markers nobody can tell whether an interrupted send reached the phone: resend
    # only when the engine keeps our message id (the phone then shows it once).
    sweeper = Sweeper(
        settings,
        dispatch,
        unknown_outcome="retry" if keeps_ids else "fail",
        lost_after=min(settings.lost_after, settings.embedded_lost_after),
    )
    return DeliveryRuntime(pipeline, sweeper, [])
