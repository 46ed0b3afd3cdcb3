"""A small typed, in-process event bus.

Events are frozen dataclasses named in the past tense. Handlers are registered in one place
(:mod:`whatsapp_saas.bootstrap`), on the bus of the process graph (``App.bus``): there is no
module-level bus, whoever publishes is given the graph's. Publishing happens after commit (see
:func:`whatsapp_saas.db.announce_after_commit`). A failing handler is logged and the others
still run. Async handlers are scheduled on the running loop, or on the loop the bus was bound
to when the publisher is a foreign thread (engines call us from their own threads).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

log = logging.getLogger(__name__)

Handler = Callable[[Any], None] | Callable[[Any], Awaitable[None]]
# Called once per committed transaction with all of its events of the type (a campaign batch
# queues hundreds of messages: the outbound waker wants them in one call, not hundreds).
BatchHandler = Callable[[list[Any]], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)
        self._batch_handlers: dict[type, list[BatchHandler]] = defaultdict(list)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def bind_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self._loop = loop

    @property
    def bound(self) -> bool:
        """Whether a live loop runs the async handlers of events published from threads."""
        return self._loop is not None and not self._loop.is_closed()

    def subscribe(self, event_type: type, handler: Handler) -> None:
        if handler not in self._handlers[event_type]:
            self._handlers[event_type].append(handler)

    def subscribe_batch(self, event_type: type, handler: BatchHandler) -> Callable[[], None]:
        """``handler(events)`` once per published batch; returns a function that unsubscribes."""
        if handler not in self._batch_handlers[event_type]:
            self._batch_handlers[event_type].append(handler)
        return lambda: self.unsubscribe(event_type, handler)

    def unsubscribe(self, event_type: type, handler: Handler | BatchHandler) -> None:
        for table in (self._handlers, self._batch_handlers):
            found = table.get(event_type, [])
            if handler in found:
                found.remove(handler)  # type: ignore[arg-type]

    def clear(self) -> None:
        self._handlers.clear()
        self._batch_handlers.clear()

    def handlers_for(self, event: object) -> list[Handler]:
        found: list[Handler] = []
        for cls in type(event).__mro__:
            found.extend(self._handlers.get(cls, ()))
        return found

    def publish_many(self, events: Iterable[object]) -> None:
        batches: dict[BatchHandler, list[object]] = {}
        for event in events:
            self._publish_one(event)
            for cls in type(event).__mro__:
                for handler in self._batch_handlers.get(cls, ()):
                    batches.setdefault(handler, []).append(event)
        for handler, items in batches.items():
            self._call(handler, items)

    def publish(self, event: object) -> None:
        self.publish_many((event,))

    def _publish_one(self, event: object) -> None:
        for handler in self.handlers_for(event):
            if inspect.iscoroutinefunction(handler):
                self._schedule(handler, event)
            else:
                self._call(handler, event)

    def _call(self, handler: Handler | BatchHandler, event: Any) -> None:
        try:
            handler(event)
        except Exception:
            log.exception("event handler %s failed on %s", _name(handler), type(event).__name__)

    def _schedule(self, handler: Handler, event: object) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            task = running.create_task(self._run_async(handler, event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif self._loop is not None and not self._loop.is_closed():
            asyncio.run_coroutine_threadsafe(self._run_async(handler, event), self._loop)
        else:
            log.warning("no event loop for async handler %s; event dropped", _name(handler))

    async def _run_async(self, handler: Handler, event: object) -> None:
        try:
            result = handler(event)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("event handler %s failed on %s", _name(handler), type(event).__name__)

    async def drain(self) -> None:
        """Wait for scheduled async handlers (tests and clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _name(handler: Handler | BatchHandler) -> str:
    return getattr(handler, "__qualname__", repr(handler))
