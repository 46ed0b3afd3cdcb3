"""Routing a send to the owning node over Redis (request/reply).

The owner of a number is whoever holds its lease (``<ns>:lease:<number>``, written by the
connection managers). Each node runs a send agent that pops requests from its own list,
``<ns>:dlv:req:<node>``; every worker process has one reply list, read by one task that hands
each reply to the waiting batch. A request carries a deadline: an agent drops requests whose
worker has already given up, so a late send cannot race the retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import redis
import redis.asyncio as aioredis

from whatsapp_saas.delivery.common import keys, reasons
from whatsapp_saas.delivery.common.jobs import SendJob, SendOutcome
from whatsapp_saas.delivery.route.transport import offline

log = logging.getLogger(__name__)

REPLY_TTL = 60
WARN_EVERY = 60.0


def request_key(node_id: str) -> str:
    return keys.dlv(f"req:{node_id}")


def agent_key(node_id: str) -> str:
    return keys.dlv(f"agent:{node_id}")


class RedisTransport:
    def __init__(self, client: aioredis.Redis, rpc_timeout: float) -> None:
        self.redis = client
        self.rpc_timeout = rpc_timeout
        self.inbox = keys.dlv(f"rep:{secrets.token_hex(8)}")
        self._waiting: dict[str, asyncio.Future[list[SendOutcome]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._closed = False
        self._warned: dict[str, float] = {}

    async def send(self, jobs: Sequence[SendJob]) -> list[SendOutcome]:
        self._ensure_reader()
        owners = await self._owners({j.number_id for j in jobs})
        by_node: dict[str, list[SendJob]] = defaultdict(list)
        outcomes: list[SendOutcome] = []
        for job in jobs:
            node_id = owners.get(job.number_id)
            if node_id is None:
                outcomes.append(offline(job, "no node owns the number (or its agent is down)"))
            else:
                by_node[node_id].append(job)
        results = await asyncio.gather(*(self._call(n, b) for n, b in by_node.items()))
        for batch in results:
            outcomes.extend(batch)
        return outcomes

    async def _owners(self, number_ids: set[int]) -> dict[int, str]:
        """Lease holders whose send agent is alive."""
        ordered = sorted(number_ids)
        leases = await self.redis.mget([keys.lease_key(n) for n in ordered])
        holders = {n: v.decode() for n, v in zip(ordered, leases, strict=True) if v}
        nodes = sorted(set(holders.values()))
        alive = await self.redis.mget([agent_key(n) for n in nodes]) if nodes else []
        live = {n for n, beat in zip(nodes, alive, strict=True) if beat}
        for node_id in set(nodes) - live:
            self._warn_once(node_id)
        return {n: node for n, node in holders.items() if node in live}

    def _warn_once(self, node_id: str) -> None:
        """Say it once a minute per node, not once per batch."""
        now = time.monotonic()
        if now - self._warned.get(node_id, -WARN_EVERY) >= WARN_EVERY:
            self._warned[node_id] = now
            log.warning("node %s owns numbers but runs no send agent", node_id)

    async def _call(self, node_id: str, jobs: list[SendJob]) -> list[SendOutcome]:
        request_id = secrets.token_hex(8)
        future: asyncio.Future[list[SendOutcome]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        request = {
            "id": request_id,
            "reply_to": self.inbox,
            "deadline": time.time() + self.rpc_timeout,
            "jobs": [j.to_wire() for j in jobs],
        }
        try:
            await self.redis.rpush(request_key(node_id), json.dumps(request))  # type: ignore[misc]
            await self.redis.expire(request_key(node_id), int(self.rpc_timeout * 3) + 1)
            return await asyncio.wait_for(future, self.rpc_timeout)
        except (TimeoutError, redis.RedisError, OSError) as exc:
            detail = f"node {node_id} did not answer: {type(exc).__name__}"
            return [
                SendOutcome.failed(j.message_id, True, reasons.NODE_TIMEOUT, detail) for j in jobs
            ]
        finally:
            self._waiting.pop(request_id, None)

    def _ensure_reader(self) -> None:
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read_replies())

    async def _read_replies(self) -> None:
        while not self._closed:
            try:
                popped = await self.redis.blpop([self.inbox], timeout=1)  # type: ignore[misc]
            except (redis.RedisError, OSError) as exc:
                log.warning("reply list unreadable (%s); retrying", exc)
                await asyncio.sleep(0.5)
                continue
            if popped is not None:
                self._deliver(json.loads(popped[1]))

    def _deliver(self, reply: dict[str, Any]) -> None:
        future = self._waiting.get(str(reply.get("id")))
        if future is not None and not future.done():
            future.set_result([SendOutcome.from_wire(o) for o in reply["outcomes"]])

    async def close(self) -> None:
        self._closed = True
        if self._reader is not None:
            # The reader notices _closed within its 1 s poll; cancelling a blocked redis-py
            # read is unreliable on Python 3.11.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._reader), 2.5)
            self._reader.cancel()
