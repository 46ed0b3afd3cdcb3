"""Live handlers of the WhatsApp package, in the shape :mod:`whatsapp_saas.bootstrap` expects.

A committed :class:`NumberWakeRequested` wakes the connection managers through the graph's
control channel (``App.control``): over Redis, or straight to this process's nodes.
"""

from __future__ import annotations

from collections.abc import Callable

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.live import LiveParts, ManagerControl
from whatsapp_saas.whatsapp.events import NumberWakeRequested


def on_wake_requested(control: ManagerControl) -> Callable[[NumberWakeRequested], None]:
    def wake(event: NumberWakeRequested) -> None:
        control.wake(event.number_id)

    return wake


def register(bus: EventBus, parts: LiveParts) -> None:
    bus.subscribe(NumberWakeRequested, on_wake_requested(parts.control))
