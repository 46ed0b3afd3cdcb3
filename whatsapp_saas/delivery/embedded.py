"""Delivery inside the web app's process: what its lifespan starts and stops.

Without ``REDIS_URL`` (embedded mode) this runs the senders themselves: in-process workers fed
by the outbound waker (a live subscriber on the bus) and by a sweeper that reads the same
outbox table, so a restart loses nothing (on SQLite, the one process that just started knows
that nothing is in flight, so it resumes interrupted attempts at once).

With ``REDIS_URL`` the senders are ``taskiq worker`` processes; the wiring already put the
waker that writes wake-ups on the bus, so here we only keep a send agent for the manager node
if it runs in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from whatsapp_saas.config import get_settings
from whatsapp_saas.delivery import notifier as notifiers
from whatsapp_saas.delivery.agent import ensure_send_agents, stop_send_agents
from whatsapp_saas.delivery.runtime import DeliveryRuntime, embedded_runtime
from whatsapp_saas.delivery.settings import delivery_settings
from whatsapp_saas.events.bus import bus

log = logging.getLogger(__name__)

AGENT_CHECK_EVERY = 2.0


@dataclass
class _Embedded:
    runtime: DeliveryRuntime | None = None
    detach: Callable[[], None] | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


_state: _Embedded | None = None


async def start_embedded_delivery() -> DeliveryRuntime | None:
    """Start delivery in this process (idempotent); returns the runtime in embedded mode."""
    global _state
    if _state is not None:
        return _state.runtime
    settings = get_settings()
    state = _Embedded()
    if settings.redis_url:
        state.tasks.append(asyncio.get_running_loop().create_task(_keep_agents()))
    else:
        state.runtime = embedded_runtime(delivery_settings())
        state.runtime.start(first_pass_cutoff=0.0 if settings.is_sqlite else None)
        local = notifiers.LocalNotifier(state.runtime.pipeline, asyncio.get_running_loop())
        state.detach = notifiers.attach(bus, local)
    _state = state
    log.info("delivery started (%s)", "agents" if settings.redis_url else "embedded")
    return state.runtime


async def stop_embedded_delivery() -> None:
    """Graceful: batches in flight are recorded before the process goes."""
    global _state
    state, _state = _state, None
    if state is None:
        return
    if state.detach is not None:
        state.detach()
    for task in state.tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if state.runtime is not None:
        await state.runtime.stop()
    await stop_send_agents()


def embedded_runtime_running() -> DeliveryRuntime | None:
    return _state.runtime if _state is not None else None


async def _keep_agents() -> None:
    """The manager node may start after us (or restart): give every node here an agent."""
    while True:
        try:
            ensure_send_agents()
        except Exception:
            log.exception("starting send agents failed")
        await asyncio.sleep(AGENT_CHECK_EVERY)
