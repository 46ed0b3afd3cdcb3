"""Tenant event channels: in-process, or a Redis stream with a consumer group."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis

from whatsapp_saas.config import get_settings

log = logging.getLogger(__name__)

STREAM = "tenant-events"
GROUP = "web"
STREAM_MAXLEN = 50_000


@dataclass(frozen=True)
class TenantEvent:
    """Something changed for a tenant; ``topic`` tells which view should reload."""

    tenant_id: int
    topic: str
    payload: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> str:
        return json.dumps(asdict(self), default=str)

    @staticmethod
    def decode(raw: str | bytes) -> TenantEvent:
        data = json.loads(raw)
        return TenantEvent(
            int(data["tenant_id"]), str(data["topic"]), dict(data.get("payload", {}))
        )


class Channel(Protocol):
    def publish(self, event: TenantEvent) -> None: ...

    def subscribe(self) -> AsyncIterator[TenantEvent]: ...


class LocalChannel:
    """In-process fan-out; publish() is safe from any thread."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[TenantEvent]]] = []

    def publish(self, event: TenantEvent) -> None:
        for loop, queue in list(self._subscribers):
            if not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, event)

    async def subscribe(self) -> AsyncIterator[TenantEvent]:
        entry = (asyncio.get_running_loop(), asyncio.Queue[TenantEvent]())
        self._subscribers.append(entry)
        try:
            while True:
                yield await entry[1].get()
        finally:
            self._subscribers.remove(entry)


class RedisChannel:
    """A Redis stream: every web worker reads the same consumer group, so one handles each."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = redis.Redis.from_url(url, socket_timeout=5)

    def publish(self, event: TenantEvent) -> None:
        try:
            self._client.xadd(STREAM, {"e": event.encode()}, maxlen=STREAM_MAXLEN, approximate=True)
        except redis.RedisError:
            # Live updates are a convenience: pages reload from the database on reconnect.
            log.warning("could not publish a tenant event; browsers will catch up on reload")

    async def subscribe(self) -> AsyncIterator[TenantEvent]:
        client = aioredis.Redis.from_url(self.url, socket_timeout=None, socket_keepalive=True)
        consumer = f"{socket.gethostname()}-{os.getpid()}"
        await _ensure_group(client)
        try:
            while True:
                batch = await client.xreadgroup(
                    GROUP, consumer, {STREAM: ">"}, count=100, block=5000
                )
                for _stream, entries in batch or []:
                    for entry_id, fields in entries:
                        await client.xack(STREAM, GROUP, entry_id)
                        yield TenantEvent.decode(fields[b"e"])
        finally:
            await client.aclose()


async def _ensure_group(client: aioredis.Redis) -> None:
    try:
        await client.xgroup_create(STREAM, GROUP, id="$", mkstream=True)
    except aioredis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


_channel: Channel | None = None


def get_channel() -> Channel:
    global _channel
    if _channel is None:
        url = get_settings().redis_url
        _channel = RedisChannel(url) if url else LocalChannel()
    return _channel


def reset_channel() -> None:
    global _channel
    _channel = None
