"""The taskiq broker of the delivery workers.

    taskiq worker whatsapp_saas.delivery.broker:broker whatsapp_saas.delivery.tasks \
        --max-async-tasks 200 --max-prefetch 0 --wait-tasks-timeout 30 --shutdown-timeout 10

With ``REDIS_URL``: a Redis stream broker (consumer group, XACK after the task), configured
against the traps in ``notes/taskiq.md``:

- ``consumer_id="0"``: a group created after wake-ups were written still reads them;
- ``idle_timeout`` longer than the slowest task (else tasks run twice);
- ``xread_count`` small: that is how many wake-ups a killed worker can strand;
- ``maxlen``: acknowledged entries are trimmed;
- ``socket_timeout=None, socket_keepalive=True``: Python 3.11's SIGTERM hang;
- :meth:`ReclaimingStreamBroker.listen` reclaims a dead worker's entries on a timer, with or
  without new traffic, survives Redis restarts (re-creating a vanished group) and never holds
  the reclaim lock forever.

The queue only wakes workers: every wake-up is re-derived from the outbox by the sweeper, so
trimming or losing stream entries delays sends, never loses them.

Without ``REDIS_URL`` the module still imports (an in-memory broker), but embedded mode does
not use taskiq at all: see :mod:`.embedded`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from taskiq import AckableMessage, AsyncBroker, InMemoryBroker
from taskiq_redis import RedisStreamBroker

from whatsapp_saas.config import get_settings
from whatsapp_saas.delivery import keys
from whatsapp_saas.delivery.settings import delivery_settings

log = logging.getLogger(__name__)

GROUP = "delivery"
RECLAIM_EVERY = 1.0  # seconds between XAUTOCLAIM passes
RECLAIM_LOCK_TIMEOUT = 5.0  # a worker killed while holding the lock frees it after this
REDIS_DOWN_PAUSE = 1.0


class ReclaimingStreamBroker(RedisStreamBroker):
    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        last_reclaim = 0.0
        while True:
            try:
                async with Redis(connection_pool=self.connection_pool) as conn:
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
                await self._redeclare()
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                log.warning("delivery stream unreachable (%s); retrying", exc)
                await asyncio.sleep(REDIS_DOWN_PAUSE)
                await self._redeclare()

    async def _read(self, conn: Redis) -> list[AckableMessage]:
        fetched = await conn.xreadgroup(
            self.consumer_group_name,
            self.consumer_name,
            {self.queue_name: ">"},
            block=self.block,
            noack=False,
            count=self.count,
        )
        return [
            self._ackable(stream, msg_id, msg)
            for stream, entries in fetched
            for msg_id, msg in entries
        ]

    async def _reclaim(self, conn: Redis) -> list[AckableMessage]:
        """Take over entries a dead (or hung) consumer left unacknowledged too long."""
        lock = conn.lock(
            f"autoclaim:{self.consumer_group_name}:{self.queue_name}", timeout=RECLAIM_LOCK_TIMEOUT
        )
        if not await lock.acquire(blocking=False):
            return []
        try:
            _, entries, *_ = await conn.xautoclaim(
                name=self.queue_name,
                groupname=self.consumer_group_name,
                consumername=self.consumer_name,
                min_idle_time=self.idle_timeout,
                count=self.unacknowledged_batch_size,
            )
        finally:
            with contextlib.suppress(Exception):  # expired meanwhile: harmless
                await lock.release()
        if entries:
            log.info("reclaimed %d wake-ups from dead consumers", len(entries))
        return [self._ackable(self.queue_name, msg_id, msg) for msg_id, msg in entries if msg]

    def _ack_generator(self, id: str, queue_name: str) -> Callable[[], Awaitable[None]]:
        ack = super()._ack_generator(id, queue_name)

        async def tolerant_ack() -> None:
            # An ack lost to a Redis blip only means the entry is reclaimed and its claim found
            # already done: not worth failing the task over.
            try:
                await ack()
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                log.debug("ack of %s lost: %s", id, exc)

        return tolerant_ack

    def _ackable(self, stream: Any, msg_id: Any, msg: dict[bytes, bytes]) -> AckableMessage:
        return AckableMessage(
            data=msg[b"data"], ack=self._ack_generator(id=msg_id, queue_name=stream)
        )

    async def _redeclare(self) -> None:
        try:
            await self._declare_consumer_group()
        except Exception as exc:
            log.debug("consumer group not declared yet: %s", exc)


def make_broker(url: str | None = None) -> AsyncBroker:
    url = url if url is not None else get_settings().redis_url
    if not url:
        return InMemoryBroker()
    settings = delivery_settings()
    return ReclaimingStreamBroker(
        url,
        queue_name=settings.queue_name or keys.stream(),
        consumer_group_name=GROUP,
        consumer_id="0",
        xread_block=1000,
        maxlen=settings.stream_maxlen,
        approximate=True,
        idle_timeout=int(settings.idle_timeout * 1000),
        unacknowledged_lock_timeout=RECLAIM_LOCK_TIMEOUT,
        xread_count=settings.xread_count,
        max_connection_pool_size=200,
        socket_timeout=None,
        socket_keepalive=True,
    )


broker = make_broker()
