"""Startup wiring of delivery, in the shape :mod:`whatsapp_saas.bootstrap` expects.

Listed in ``HANDLER_MODULES``, so every process that bootstraps gets:
- with Redis, the outbound waker: a live subscriber that writes a wake-up to the delivery
  stream for each committed ``OutboundQueued`` (its thread starts on the first one only);
- a send agent for each manager node of the process, started when one of its numbers connects
  (a manager started by ``python -m whatsapp_saas.whatsapp.manager`` needs nothing else).
"""

from __future__ import annotations

from whatsapp_saas.config import get_settings
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.whatsapp.events import NumberStateChanged
from whatsapp_saas.whatsapp.states import NumberState

_notifiers: dict[str, object] = {}  # one per Redis URL: each owns a thread once used


async def on_number_state(event: NumberStateChanged) -> None:
    if event.state == NumberState.CONNECTED.value:
        from whatsapp_saas.delivery.send.agent import ensure_send_agents

        ensure_send_agents()


def register(bus: EventBus) -> None:
    bus.subscribe(NumberStateChanged, on_number_state)
    url = get_settings().redis_url
    if url:
        from whatsapp_saas.delivery.worker import notifier

        if url not in _notifiers:
            _notifiers[url] = notifier.StreamNotifier(url)
        notifier.attach(bus, _notifiers[url])  # type: ignore[arg-type]
