"""Wake-ups for the durable runner: they only say "look at the table now".

Nothing here ever holds an event: a lost wake-up costs latency, the runner's polling catches
up. In one process (embedded mode) the runner hears the bus directly; across processes (Redis
mode) the committing process publishes on a Redis channel, and the runner listens to it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.codec import is_live_only

log = logging.getLogger(__name__)


def channel_for(database_url: str) -> str:
    """One channel per database: test runs and tenants' deployments sharing a Redis never wake
    each other (a spurious wake would be harmless, only wasteful)."""
    digest = hashlib.sha1(database_url.encode()).hexdigest()[:12]
    return f"events:wake:{digest}"


def any_durable(events: list[Any]) -> bool:
    return any(not is_live_only(e) for e in events)


class RedisWakePublisher:
    """A live subscriber: after a commit that stored events, one PUBLISH (never raises)."""

    def __init__(self, url: str, channel: str) -> None:
        import redis

        self.channel = channel
        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def on_events(self, events: list[Any]) -> None:
        if not any_durable(events):
            return
        try:
            self._client.publish(self.channel, b"1")
        except Exception as exc:  # polling covers it
            log.debug("events wake-up not published (%s)", exc)

    def attach(self, bus: EventBus) -> Callable[[], None]:
        return bus.subscribe_batch(object, self.on_events)

    def close(self) -> None:
        self._client.close()


class LocalWake:
    """Wakes this process's runner loops from any thread.

    A loop listens for its subscriber's event types: an event it does not want leaves it
    asleep (its cursor passes such events on its next poll), so a message stored costs no
    pass of, say, the merge subscriber. A wake-up from Redis carries no types: it wakes all.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._listeners: list[tuple[tuple[type, ...], asyncio.Event]] = []

    def listener(self, types: tuple[type, ...] = (object,)) -> asyncio.Event:
        event = asyncio.Event()
        self._listeners.append((types, event))
        return event

    def wake(self) -> None:
        self._set(event for _, event in self._listeners)

    def on_events(self, events: list[Any]) -> None:
        durable = [e for e in events if not is_live_only(e)]
        if durable:
            self._set(ev for types, ev in self._listeners if _wants(types, durable))

    def _set(self, events: Iterable[asyncio.Event]) -> None:
        if self.loop.is_closed():
            return
        for event in events:
            self.loop.call_soon_threadsafe(event.set)


def _wants(types: tuple[type, ...], events: list[Any]) -> bool:
    return any(isinstance(e, types) for e in events)


async def listen_redis(url: str, channel: str, wake: LocalWake, retry: float = 2.0) -> None:
    """Turn messages on ``channel`` into local wake-ups, reconnecting forever."""
    import redis.asyncio as aioredis

    while True:
        client = aioredis.Redis.from_url(url)
        try:
            pubsub = client.pubsub()
            await pubsub.subscribe(channel)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    wake.wake()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("events wake channel lost (%s); polling until it is back", exc)
        finally:
            await client.aclose()
        await asyncio.sleep(retry)
