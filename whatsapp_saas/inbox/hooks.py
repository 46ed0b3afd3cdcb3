"""In-process, best-effort hooks run after a message is committed.

A hook lost in a crash is never run again: anything that must happen for every message
belongs in a durable subscriber of the event spine instead (see :mod:`whatsapp_saas.events`
and ``scheduling/handlers.py``). These hooks suit what may be skipped (a cache warm-up).
They belong to one pipeline (:class:`InboxHooks`, ``IngestPipeline.hooks``); nothing in the
app registers one today.

A hook receives :class:`MessageStored` events (inbound and outbound;
filter on ``direction``), should hand slow work to the job queue by id, and may fail: a failing
hook is logged and neither the other hooks nor ingest notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence

from whatsapp_saas.inbox.events import MessageStored

log = logging.getLogger(__name__)

MessageHook = Callable[[MessageStored], Awaitable[None]]
# Called once per committed batch: a hook that touches the database should prefer this, so
# a burst of messages costs it one transaction instead of one per message.
BatchHook = Callable[[Sequence[MessageStored]], Awaitable[None]]


class InboxHooks:
    """The hooks of one ingest pipeline (``IngestPipeline.hooks``): whoever builds the
    pipeline registers them on it, so no module holds them."""

    def __init__(self) -> None:
        self._hooks: list[MessageHook] = []
        self._batch_hooks: list[BatchHook] = []

    def register(self, hook: MessageHook) -> None:
        if hook not in self._hooks:
            self._hooks.append(hook)

    def unregister(self, hook: MessageHook) -> None:
        if hook in self._hooks:
            self._hooks.remove(hook)

    def register_batch(self, hook: BatchHook) -> None:
        if hook not in self._batch_hooks:
            self._batch_hooks.append(hook)

    def clear(self) -> None:
        self._hooks.clear()
        self._batch_hooks.clear()

    def registered(self) -> tuple[MessageHook, ...]:
        return tuple(self._hooks)

    async def run(
        self,
        events: Iterable[MessageStored],
        *,
        slots: asyncio.Semaphore | None = None,
        timeout: float = 30.0,
    ) -> None:
        """Call every hook on every event; failures and timeouts are only logged.

        ``slots`` bounds how many hook calls run at once (a burst of 20,000 messages must not
        start 20,000 database transactions); the timeout counts from when a call gets its slot.
        """
        hooks, batch = tuple(self._hooks), list(events)
        calls = [_guarded(hook, event, slots, timeout) for event in batch for hook in hooks]
        if batch:
            calls += [_guarded_batch(hook, batch, slots, timeout) for hook in self._batch_hooks]
        if calls:
            await asyncio.gather(*calls)


async def _guarded_batch(
    hook: BatchHook, batch: list[MessageStored], slots: asyncio.Semaphore | None, timeout: float
) -> None:
    name = getattr(hook, "__qualname__", repr(hook))
    async with slots or contextlib.nullcontext():
        try:
            await asyncio.wait_for(hook(batch), timeout)
        except TimeoutError:
            log.warning("inbox batch hook %s timed out on %d messages", name, len(batch))
        except Exception:
            log.exception("inbox batch hook %s failed on %d messages", name, len(batch))


async def _guarded(
    hook: MessageHook, event: MessageStored, slots: asyncio.Semaphore | None, timeout: float
) -> None:
    name = getattr(hook, "__qualname__", repr(hook))
    async with slots or contextlib.nullcontext():
        try:
            await asyncio.wait_for(hook(event), timeout)
        except TimeoutError:
            log.warning("inbox hook %s timed out on message %s", name, event.message_id)
        except Exception:
            log.exception("inbox hook %s failed on message %s", name, event.message_id)
