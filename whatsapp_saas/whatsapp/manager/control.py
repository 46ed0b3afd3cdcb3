"""The control channel: how services wake connection managers and ask them for pairing codes.

The database holds what the user wants (``desired_state``); this channel only makes managers
look now instead of at their next reconcile tick, so a lost message costs latency, not
correctness. The one request/reply is the pairing code, which only the owning node can get.

In-process (embedded mode, no ``REDIS_URL``): direct calls to the nodes of this process.
With Redis: a pub/sub channel every node subscribes to; replies go to a one-off list the
requester BLPOPs with a timeout.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

import redis
import redis.asyncio as aioredis

from whatsapp_saas.errors import UserError
from whatsapp_saas.whatsapp.manager.local import LocalNodes
from whatsapp_saas.whatsapp.manager.namespace import control_channel, reply_key

log = logging.getLogger(__name__)

REPLY_TTL_SECONDS = 60
T = TypeVar("T")


class ControlHandler(Protocol):
    async def on_wake(self, number_id: int) -> None: ...

    async def on_pairing_code(self, number_id: int, phone: str) -> str | None:
        """The code, or None when this node does not own the number."""

    async def on_read(self, number_id: int, chat: str, message_ids: list[str]) -> None:
        """Send read receipts if this node runs the number's live session; else nothing."""


def _run_on(loop: asyncio.AbstractEventLoop, make: Callable[[], Awaitable[Any]]) -> None:
    async def runner() -> None:
        try:
            await make()
        except Exception:
            log.exception("control handler failed")

    loop.call_soon_threadsafe(lambda: loop.create_task(runner()))


async def _await_on(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> T:
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        return await coro
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))


# --- the channel used by services -----------------------------------------------------------


class Control:
    """This process's way to the connection managers (``App.control``, built by bootstrap).

    With ``redis_url`` it publishes on the control channel every node hears; without, it calls
    the nodes of this process that listen on ``nodes`` (embedded mode)."""

    def __init__(self, redis_url: str | None, nodes: LocalNodes) -> None:
        self.redis_url = redis_url
        self.nodes = nodes
        self._client: redis.Redis | None = None  # made on the first publish, then reused

    def _publish(self, message: dict[str, Any]) -> None:
        assert self.redis_url is not None
        if self._client is None:
            self._client = redis.Redis.from_url(self.redis_url, socket_timeout=5)
        self._client.publish(control_channel(), json.dumps(message))

    def wake(self, number_id: int) -> None:
        """Tell every manager node to look at ``number_id`` now (fire and forget)."""
        if self.redis_url:
            try:
                self._publish({"op": "wake", "number_id": number_id})
            except redis.RedisError as exc:  # the reconcile loop catches up anyway
                log.warning("control wake for number %s not sent: %s", number_id, exc)
            return
        for handler, loop in self.nodes.handlers():
            _run_on(loop, functools.partial(handler.on_wake, number_id))

    def send_read_receipts(self, number_id: int, chat: str, message_ids: list[str]) -> None:
        """Ask whichever node owns the number to mark these messages read on the phone.

        Best effort, like a wake: a receipt lost to a dead node only leaves blue ticks missing.
        """
        if not message_ids:
            return
        if self.redis_url:
            message = {"op": "read", "number_id": number_id, "chat": chat, "ids": message_ids}
            try:
                self._publish(message)
            except redis.RedisError as exc:
                log.warning("read receipts for number %s not sent: %s", number_id, exc)
            return
        for handler, loop in self.nodes.handlers():
            _run_on(loop, functools.partial(handler.on_read, number_id, chat, message_ids))

    async def request_pairing_code(self, number_id: int, phone: str, timeout: float) -> str:
        """Ask the owning node for a pairing code; UserError when nobody answers in time."""
        if self.redis_url:
            return await _redis_pairing_code(self.redis_url, number_id, phone, timeout)
        return await self._local_pairing_code(number_id, phone, timeout)

    async def _local_pairing_code(self, number_id: int, phone: str, timeout: float) -> str:
        async def ask_all() -> str | None:
            for handler, loop in self.nodes.handlers():
                code = await _await_on(loop, handler.on_pairing_code(number_id, phone))
                if code is not None:
                    return str(code)
            return None

        try:
            code = await asyncio.wait_for(ask_all(), timeout)
        except TimeoutError:
            code = None
        if code is None:
            raise UserError("error.whatsapp_pairing_unavailable")
        return code


async def _redis_pairing_code(url: str, number_id: int, phone: str, timeout: float) -> str:
    reply_to = reply_key(secrets.token_hex(12))
    message = {"op": "pairing_code", "number_id": number_id, "phone": phone, "reply_to": reply_to}
    client = aioredis.Redis.from_url(url, socket_timeout=None, socket_keepalive=True)
    deadline = time.monotonic() + timeout
    try:
        # Pub/sub keeps nothing for absent listeners: until a node hears us, ask again.
        while not await client.publish(control_channel(), json.dumps(message)):
            if time.monotonic() > deadline:
                raise UserError("error.whatsapp_pairing_unavailable")
            await asyncio.sleep(0.5)
        wait = max(1, round(deadline - time.monotonic()))
        popped = await client.blpop([reply_to], timeout=wait)  # type: ignore[misc]
    finally:
        await client.aclose()
    if popped is None:
        raise UserError("error.whatsapp_pairing_unavailable")
    reply = json.loads(popped[1])
    if not reply.get("ok"):
        raise UserError(str(reply.get("error") or "error.whatsapp_pairing_failed"))
    return str(reply["code"])


# --- the node side (Redis) ----------------------------------------------------------------


async def serve_redis(
    url: str, handler: ControlHandler, stop: asyncio.Event, ready: asyncio.Event | None = None
) -> None:
    """Listen on the control channel until ``stop`` is set; reconnect on Redis errors.

    ``ready`` is set once subscribed (messages published before that are not heard)."""
    while not stop.is_set():
        client = aioredis.Redis.from_url(url, socket_timeout=None, socket_keepalive=True)
        try:
            await _listen(client, handler, stop, ready or asyncio.Event())
        except (redis.RedisError, OSError) as exc:
            log.warning("control channel lost (%s); resubscribing", exc)
            await asyncio.sleep(1)
        finally:
            await client.aclose()


async def _listen(
    client: aioredis.Redis, handler: ControlHandler, stop: asyncio.Event, ready: asyncio.Event
) -> None:
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(control_channel())
    ready.set()
    tasks: set[asyncio.Task[None]] = set()
    try:
        while not stop.is_set():
            # A short poll instead of cancelling a blocked read: cancellation of redis-py
            # reads is unreliable on Python 3.11 (see the taskiq notes).
            message = await pubsub.get_message(timeout=0.5)
            if message is None or message.get("type") != "message":
                continue
            task = asyncio.create_task(_handle(client, handler, json.loads(message["data"])))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it untyped


async def _handle(client: aioredis.Redis, handler: ControlHandler, message: dict[str, Any]) -> None:
    try:
        number_id = int(message["number_id"])
        if message.get("op") == "wake":
            await handler.on_wake(number_id)
        elif message.get("op") == "pairing_code":
            await _answer_pairing(client, handler, number_id, message)
        elif message.get("op") == "read":
            ids = [str(i) for i in message.get("ids", [])]
            await handler.on_read(number_id, str(message["chat"]), ids)
    except Exception:
        log.exception("control message %s failed", message.get("op"))


async def _answer_pairing(
    client: aioredis.Redis, handler: ControlHandler, number_id: int, message: dict[str, Any]
) -> None:
    try:
        code = await handler.on_pairing_code(number_id, str(message["phone"]))
        if code is None:
            return  # another node owns it
        reply: dict[str, Any] = {"ok": True, "code": code}
    except UserError as exc:
        reply = {"ok": False, "error": exc.code}
    reply_to = str(message["reply_to"])
    await client.rpush(reply_to, json.dumps(reply))  # type: ignore[misc]
    await client.expire(reply_to, REPLY_TTL_SECONDS)
