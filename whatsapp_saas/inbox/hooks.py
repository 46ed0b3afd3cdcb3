"""The hook point for automations and AI: async callables run after a message is committed.

Later features (automations, AI replies) register here, in :mod:`whatsapp_saas.bootstrap` or
at their own startup. A hook receives :class:`MessageStored` events (inbound and outbound;
filter on ``direction``), should hand slow work to the job queue by id, and may fail: a failing
hook is logged and neither the other hooks nor ingest notice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from whatsapp_saas.inbox.events import MessageStored

log = logging.getLogger(__name__)

MessageHook = Callable[[MessageStored], Awaitable[None]]

_hooks: list[MessageHook] = []


def register_hook(hook: MessageHook) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def unregister_hook(hook: MessageHook) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


def clear_hooks() -> None:
    _hooks.clear()


def registered_hooks() -> tuple[MessageHook, ...]:
    return tuple(_hooks)


async def run_hooks(events: Iterable[MessageStored], timeout: float = 30.0) -> None:
    """Call every hook on every event, concurrently; failures and timeouts are only logged."""
    hooks = tuple(_hooks)
    calls = [_guarded(hook, event, timeout) for event in events for hook in hooks]
    if calls:
        await asyncio.gather(*calls)


async def _guarded(hook: MessageHook, event: MessageStored, timeout: float) -> None:
    try:
        await asyncio.wait_for(hook(event), timeout)
    except Exception:
        name = getattr(hook, "__qualname__", repr(hook))
        log.exception("inbox hook %s failed on message %s", name, event.message_id)
