"""Startup wiring of delivery, in the shape :mod:`whatsapp_saas.bootstrap` expects.

Listed in ``HANDLER_MODULES``, so every process that bootstraps gets a send agent for each
manager node of the process, started when one of its numbers connects (a manager started by
``python -m whatsapp_saas.whatsapp.manager`` needs nothing else). The outbound waker is a
part of the graph (``App.outbox_waker``), attached by bootstrap.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.live import LiveParts
from whatsapp_saas.whatsapp.events import NumberStateChanged
from whatsapp_saas.whatsapp.states import NumberState


def on_number_state(parts: LiveParts) -> Callable[[NumberStateChanged], Awaitable[None]]:
    """A connected number's node gets a send agent (the graph's ``App.send_agents``)."""

    async def connected(event: NumberStateChanged) -> None:
        if event.state == NumberState.CONNECTED.value:
            parts.send_agents.ensure()

    return connected


def register(bus: EventBus, parts: LiveParts) -> None:
    # The outbound waker (with Redis) is a part of the graph: bootstrap attaches App.outbox_waker.
    bus.subscribe(NumberStateChanged, on_number_state(parts))
