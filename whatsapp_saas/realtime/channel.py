"""Tenant event channels: in-process, or a Redis stream that every web worker reads.

Each web worker pushes live updates into the tabs whose sockets it holds, so every worker reads
every event (a plain XREAD from where it joined, no consumer group)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Protocol

import redis
import redis.asyncio as aioredis

from whatsapp_saas.realtime.events import RealtimeEvent, decode, encode
from whatsapp_saas.whatsapp.manager.namespace import redis_namespace

log = logging.getLogger(__name__)

STREAM_SUFFIX = "tenant-events"
STREAM_MAXLEN = 50_000


class Channel(Protocol):
    def publish(self, event: RealtimeEvent) -> None: ...

    def subscribe(self) -> AsyncIterator[RealtimeEvent]: ...


class LocalChannel:
    """In-process fan-out; publish() is safe from any thread."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[RealtimeEvent]]] = []

    def publish(self, event: RealtimeEvent) -> None:
        for loop, queue in list(self._subscribers):
            if not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, event)

    async def subscribe(self) -> AsyncIterator[RealtimeEvent]:
        entry = (asyncio.get_running_loop(), asyncio.Queue[RealtimeEvent]())
        self._subscribers.append(entry)
        try:
            while True:
                yield await entry[1].get()
        finally:
            self._subscribers.remove(entry)


class RedisChannel:
    """A Redis stream: every subscriber reads every event published after it joined."""

    def __init__(self, url: str) -> None:
        self.url = url
        # Per database, like the managers' keys: two deployments sharing one Redis must not
        # push each other's tenant events (tenant 1 of one is not tenant 1 of the other).
        self.stream = f"{redis_namespace()}:{STREAM_SUFFIX}"
        self._client = redis.Redis.from_url(url, socket_timeout=5)

    def publish(self, event: RealtimeEvent) -> None:
        try:
            self._client.xadd(
                self.stream, {"e": encode(event)}, maxlen=STREAM_MAXLEN, approximate=True
            )
        except redis.RedisError:
            # Live updates are a convenience: pages reload from the database on reconnect.
            log.warning("could not publish a tenant event; browsers will catch up on reload")

    async def subscribe(self) -> AsyncIterator[RealtimeEvent]:
        client = aioredis.Redis.from_url(self.url, socket_timeout=None, socket_keepalive=True)
        last = "$"
        try:
            while True:
                batch = await client.xread({self.stream: last}, count=100, block=5000)
                for _stream, entries in batch or []:
                    for entry_id, fields in entries:
                        last = entry_id
                        event = decode(fields[b"e"])
                        if event is not None:
                            yield event
        finally:
            await client.aclose()


def open_channel(redis_url: str | None) -> Channel:
    """The tenant channel of one process graph (``App.realtime``, built by bootstrap)."""
    return RedisChannel(redis_url) if redis_url else LocalChannel()
