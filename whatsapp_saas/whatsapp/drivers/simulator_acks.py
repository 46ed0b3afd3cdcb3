"""Inbound acks of one simulator session: sent only once the app has stored the event.

The simulator keeps every message and receipt it delivers until the driver acks its key, and
redelivers whatever is unacked each time the device connects. So the network may forget an
event only once it is committed in our database: this class acks a frame's key when the
sink's outcome resolves True, at once when the sink returned None (nothing to wait for), and
never when the sink raised or the outcome is False.

A frame that was not stored is handed to the sink again after a capped, jittered exponential
backoff, for as long as the session lives: otherwise a live session would hold it until its
next reconnect. The simulator also redelivers it on every reconnect; duplicates are harmless
(ingest dedupes on number + WhatsApp message id). An outcome that is simply not known yet is
waited for, however long: the app is still working on it (a database that is away is retried
by the ingest pipeline itself), and offering it again would only pile up copies. If the app
dies instead, the session dies with it and the next connect redelivers.

Acks are batched: one ``ack`` frame per loop iteration carries every key that became ready.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from whatsapp_saas.simulator.protocol import Frame

log = logging.getLogger(__name__)

Push = Callable[[Frame], bool]  # False: no socket to write to right now
Redeliver = Callable[[Frame], None]


class Delays(Protocol):
    def delay(self, attempt: int) -> float: ...


class DeferredAcks:
    def __init__(self, session_id: str, push: Push, redeliver: Redeliver, retry: Delays) -> None:
        self._session_id = session_id
        self._push = push
        self._redeliver = redeliver
        self._retry = retry
        self._ready: list[str] = []
        self._attempts: dict[str, int] = {}  # by key: how often it was not stored
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._closed = False

    @property
    def waiting_retry(self) -> int:
        return len(self._timers)

    def deliver(self, frame: Frame, outcome: Awaitable[bool] | None) -> None:
        """Ack ``frame`` once ``outcome`` resolves True; None means it is done already."""
        if frame.get("key") is None or self._closed:
            return
        if outcome is None:
            self._ack(str(frame["key"]))
            return
        future = asyncio.ensure_future(outcome)
        future.add_done_callback(functools.partial(self._settled, frame))

    def failed(self, frame: Frame) -> None:
        """The event was not stored: keep it unacked and offer it to the sink again later."""
        key = frame.get("key")
        if key is None or self._closed or str(key) in self._timers:
            return
        key = str(key)
        attempt = self._attempts.get(key, 0)
        self._attempts[key] = attempt + 1
        delay = self._retry.delay(attempt)
        log.warning(
            "session %s: event %s not stored; offering it again in %.1f s",
            self._session_id,
            key,
            delay,
        )
        loop = asyncio.get_running_loop()
        self._timers[key] = loop.call_later(delay, self._again, key, frame)

    def flush(self) -> None:
        """Send the ready keys; without a socket keep them for the next one."""
        if self._ready and not self._closed and self._push({"type": "ack", "keys": self._ready}):
            self._ready = []

    def close(self) -> None:
        """The session ended: what is unacked stays with the network, which redelivers it."""
        self._closed = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._attempts.clear()
        self._ready = []

    def _settled(self, frame: Frame, outcome: asyncio.Future[bool]) -> None:
        if self._closed:
            return
        stored = not outcome.cancelled() and outcome.exception() is None and outcome.result()
        if stored:
            self._ack(str(frame["key"]))
        else:
            self.failed(frame)

    def _again(self, key: str, frame: Frame) -> None:
        self._timers.pop(key, None)
        if not self._closed:
            self._redeliver(frame)

    def _ack(self, key: str) -> None:
        self._attempts.pop(key, None)
        timer = self._timers.pop(key, None)  # a redelivered copy got stored meanwhile
        if timer is not None:
            timer.cancel()
        if not self._ready:
            asyncio.get_running_loop().call_soon(self.flush)
        self._ready.append(key)
