"""The send agent: runs beside a connection-manager node and performs the sends routed to it.

It pops requests from the node's own list (``<ns>:dlv:req:<node>``), runs them through a
:class:`SendExecutor` on that node (which refuses numbers the node does not own), and pushes
the outcomes to the requesting worker's reply list. A heartbeat key tells workers the agent is
alive, so a node without one is treated as "offline" at once instead of after a timeout.

Agents start with :meth:`SendAgents.ensure` for every manager node of this process (the
graph's ``App.send_agents`` over ``App.nodes``): embedded delivery checks every few seconds
and the delivery handlers call it when a number connects (see
:mod:`whatsapp_saas.delivery.handlers`), so a node started by
``python -m whatsapp_saas.whatsapp.manager`` gets its agent when its first number connects.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import TYPE_CHECKING, Any

import redis
import redis.asyncio as aioredis

from whatsapp_saas.config import get_settings
from whatsapp_saas.delivery.common.jobs import SendJob
from whatsapp_saas.delivery.common.reasons import driver_keeps_message_ids
from whatsapp_saas.delivery.common.settings import DeliverySettings, delivery_settings
from whatsapp_saas.delivery.route.redis_transport import REPLY_TTL, agent_key, request_key
from whatsapp_saas.delivery.send.executor import Markers, SendExecutor, SendingNode

if TYPE_CHECKING:
    from whatsapp_saas.whatsapp.manager.local import LocalNodes

log = logging.getLogger(__name__)

HEARTBEAT_TTL = 10
HEARTBEAT_EVERY = 3.0
DRAIN = 50  # requests popped at once when the list is busy


def redis_client(url: str) -> aioredis.Redis:
    """Our own connections: a bounded socket timeout, and loops that poll a stop flag instead
    of relying on cancelling a blocked read (unreliable on Python 3.11)."""
    return aioredis.Redis.from_url(
        url, socket_timeout=10, socket_connect_timeout=5, socket_keepalive=True
    )


class SendAgent:
    def __init__(self, node: Any, url: str, settings: DeliverySettings) -> None:
        self.node: SendingNode = node
        self.redis = redis_client(url)
        keeps_ids = driver_keeps_message_ids(get_settings().whatsapp_driver)
        markers = Markers(self.redis, settings.marker_ttl)
        self.executor = SendExecutor(node, keeps_ids=keeps_ids, markers=markers)
        self._stop = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set() or bool(getattr(self.node, "stopping", False))

    async def run(self) -> None:
        beat = asyncio.get_running_loop().create_task(self._heartbeat())
        try:
            await self._consume()
        finally:
            self._stop.set()
            await asyncio.gather(beat, return_exceptions=True)
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=10)
            await self._forget()
            await self.redis.aclose()

    def stop(self) -> None:
        self._stop.set()

    async def _consume(self) -> None:
        key = request_key(self.node.node_id)
        while not self.stopping:
            try:
                popped = await self.redis.blpop([key], timeout=0.5)  # type: ignore[misc]
                if popped is None:
                    continue
                more = await self.redis.lpop(key, DRAIN) or []  # type: ignore[misc]
            except (redis.RedisError, OSError) as exc:
                log.warning("send agent of %s: Redis unavailable (%s)", self.node.node_id, exc)
                await asyncio.sleep(1)
                continue
            for raw in [popped[1], *more]:
                task = asyncio.get_running_loop().create_task(self._serve(json.loads(raw)))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _serve(self, request: dict[str, Any]) -> None:
        if time.time() > float(request["deadline"]):
            return  # its worker gave up and will retry; sending now could race that retry
        jobs = [SendJob.from_wire(j) for j in request["jobs"]]
        outcomes = await self.executor.run(jobs)
        reply = json.dumps({"id": request["id"], "outcomes": [o.to_wire() for o in outcomes]})
        for attempt in range(5):  # Redis may blink; the markers make a lost reply harmless
            try:
                pipe = self.redis.pipeline(transaction=False)
                pipe.rpush(request["reply_to"], reply)
                pipe.expire(request["reply_to"], REPLY_TTL)
                await pipe.execute()
                return
            except (redis.RedisError, OSError):
                await asyncio.sleep(0.2 * (attempt + 1))

    async def _heartbeat(self) -> None:
        while not self.stopping:
            try:
                await self.redis.set(agent_key(self.node.node_id), "1", ex=HEARTBEAT_TTL)
            except (redis.RedisError, OSError) as exc:
                log.debug("heartbeat failed: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), HEARTBEAT_EVERY)

    async def _forget(self) -> None:
        with contextlib.suppress(redis.RedisError, OSError):
            await self.redis.delete(agent_key(self.node.node_id))


class SendAgents:
    """The send agents of this process's nodes (Redis mode; one set per process graph)."""

    def __init__(self, nodes: LocalNodes, redis_url: str | None) -> None:
        self.nodes = nodes
        self.redis_url = redis_url
        self._agents: dict[str, tuple[SendAgent, asyncio.Task[None]]] = {}

    def ensure(self) -> list[SendAgent]:
        """Start an agent for every manager node of this process that lacks one.

        Call from the node's event loop. Agents end by themselves when their node stops."""
        if not self.redis_url:
            return []
        for node_id in [n for n, (_, task) in self._agents.items() if task.done()]:
            del self._agents[node_id]
        for node in self.nodes:
            if node.node_id not in self._agents and not node.stopping:
                agent = SendAgent(node, self.redis_url, delivery_settings())
                task = asyncio.get_running_loop().create_task(agent.run())
                self._agents[node.node_id] = (agent, task)
                log.info("send agent started for node %s", node.node_id)
        return [agent for agent, _ in self._agents.values()]

    async def stop(self) -> None:
        running = list(self._agents.values())
        self._agents.clear()
        for agent, _ in running:
            agent.stop()
        if running:
            await asyncio.wait([task for _, task in running], timeout=15)
