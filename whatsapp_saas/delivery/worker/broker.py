"""The taskiq broker of the delivery workers: a Redis stream with a consumer group.

    taskiq worker whatsapp_saas.delivery.worker.broker:broker whatsapp_saas.delivery.worker.tasks \
        --max-async-tasks 300 --max-prefetch 0 --wait-tasks-timeout 10 --shutdown-timeout 5

Why our own broker rather than ``taskiq_redis.RedisStreamBroker``: the pinned taskiq-redis
(1.2.2, what pip resolves beside Reflex's redis<8) cannot even be imported with taskiq 0.13
(``taskiq.compat.model_dump`` is gone), and its stream broker needed overriding anyway. This is
the same design (consumer group, XACK after the task, XAUTOCLAIM of idle entries) configured
against every trap in ``notes/taskiq.md``:

- the group starts at id ``0``: a group created after wake-ups were written still reads them,
  and a Redis that restarted empty gets its group back (``NOGROUP`` is handled in ``listen``);
- entries idle longer than ``idle_timeout`` (longer than the slowest task) are reclaimed on a
  timer, with or without new traffic, under a lock that expires if its holder is killed;
- ``xread_count`` is small: that is how many wake-ups a killed worker can strand;
- ``maxlen`` trims acknowledged entries;
- connections use ``socket_timeout=None, socket_keepalive=True`` (Python 3.11's SIGTERM hang);
- Redis errors in ``listen``, ``kick`` callers and acks are survived, not fatal.

The queue only wakes workers: every wake-up is re-derived from the outbox by the sweeper, so
trimming or losing entries delays sends, never loses them. Without ``REDIS_URL`` this module
still imports (an in-memory broker), but embedded mode does not use taskiq: see ``embedded``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage, AsyncBroker, InMemoryBroker
from taskiq.message import BrokerMessage

from whatsapp_saas.config import get_settings
from whatsapp_saas.delivery.common import keys
from whatsapp_saas.delivery.common.settings import delivery_settings

log = logging.getLogger(__name__)

GROUP = "delivery"
RECLAIM_EVERY = 1.0  # seconds between XAUTOCLAIM passes
RECLAIM_LOCK_TIMEOUT = 5.0  # a worker killed while holding the lock frees it after this
RECLAIM_BATCH = 100
REDIS_DOWN_PAUSE = 1.0
DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class StreamBroker(AsyncBroker):
    def __init__(
        self,
        url: str,
        *,
        stream: str,
        group: str = GROUP,
        block_ms: int = 1000,
        count: int = 10,
        maxlen: int | None = None,
        idle_timeout_ms: int = 60_000,
        pool_size: int = 200,
    ) -> None:
        super().__init__()
        self.pool = BlockingConnectionPool.from_url(
            url, max_connections=pool_size, socket_timeout=None, socket_keepalive=True
        )
        self.stream, self.group = stream, group
        self.consumer = f"{uuid.uuid4().hex[:12]}"
        self.block_ms, self.count, self.maxlen = block_ms, count, maxlen
        self.idle_timeout_ms = idle_timeout_ms

    async def startup(self) -> None:
        await super().startup()
        await self._declare()  # producers too: the group must exist before entries pile up

    async def shutdown(self) -> None:
        await super().shutdown()
        await self.pool.disconnect()

    async def kick(self, message: BrokerMessage) -> None:
        async with Redis(connection_pool=self.pool) as conn:
            await conn.xadd(
                self.stream, {b"data": message.message}, maxlen=self.maxlen, approximate=True
            )

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        last_reclaim = 0.0
        while True:
            try:
                async with Redis(connection_pool=self.pool) as conn:
                    while True:
                        for message in await self._read(conn):
                            yield message
                        if time.monotonic() - last_reclaim >= RECLAIM_EVERY:
                            last_reclaim = time.monotonic()
                            for message in await self._reclaim(conn):
                                yield message
            except ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                log.warning("delivery stream group vanished (Redis restarted?); re-creating it")
                await self._declare_quietly()
            except DOWN as exc:
                log.warning("delivery stream unreachable (%s); retrying", exc)
                await asyncio.sleep(REDIS_DOWN_PAUSE)
                await self._declare_quietly()

    async def _read(self, conn: Redis) -> list[AckableMessage]:
        fetched = await conn.xreadgroup(
            self.group, self.consumer, {self.stream: ">"}, count=self.count, block=self.block_ms
        )
        return [self._ackable(msg_id, msg) for _, entries in fetched for msg_id, msg in entries]

    async def _reclaim(self, conn: Redis) -> list[AckableMessage]:
        """Take over entries a dead (or hung) consumer left unacknowledged too long."""
        lock = conn.lock(f"{self.stream}:autoclaim", timeout=RECLAIM_LOCK_TIMEOUT)
        if not await lock.acquire(blocking=False):
            return []
        try:
            _, entries, *_ = await conn.xautoclaim(
                self.stream, self.group, self.consumer, self.idle_timeout_ms, count=RECLAIM_BATCH
            )
        finally:
            with contextlib.suppress(Exception):  # expired meanwhile: harmless
                await lock.release()
        if entries:
            log.info("reclaimed %d wake-ups from dead consumers", len(entries))
        return [self._ackable(msg_id, msg) for msg_id, msg in entries if msg]

    def _ackable(self, msg_id: Any, msg: dict[bytes, bytes]) -> AckableMessage:
        return AckableMessage(data=msg[b"data"], ack=self._acker(msg_id))

    def _acker(self, msg_id: Any) -> Callable[[], Awaitable[None]]:
        async def ack() -> None:
            # An ack lost to a Redis blip only means the entry is reclaimed later and its
            # claim found already settled: not worth failing the task over.
            try:
                async with Redis(connection_pool=self.pool) as conn:
                    await conn.xack(self.stream, self.group, msg_id)
            except DOWN as exc:
                log.debug("ack of %s lost: %s", msg_id, exc)

        return ack

    async def _declare(self) -> None:
        async with Redis(connection_pool=self.pool) as conn:
            try:
                await conn.xgroup_create(self.stream, self.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def _declare_quietly(self) -> None:
        try:
            await self._declare()
        except Exception as exc:
            log.debug("consumer group not declared yet: %s", exc)


def make_broker(url: str | None = None) -> AsyncBroker:
    url = url if url is not None else get_settings().redis_url
    if not url:
        return InMemoryBroker()
    settings = delivery_settings()
    return StreamBroker(
        url,
        stream=settings.queue_name or keys.stream(),
        count=settings.xread_count,
        maxlen=settings.stream_maxlen,
        idle_timeout_ms=int(settings.idle_timeout * 1000),
    )


broker = make_broker()
