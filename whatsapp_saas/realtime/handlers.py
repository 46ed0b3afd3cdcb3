"""Bus handlers that turn committed domain events into tenant events for the browsers."""

from __future__ import annotations

from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.realtime.channel import TenantEvent, get_channel
from whatsapp_saas.whatsapp.events import NumberStateChanged, QrCodeUpdated


def on_number_changed(event: NumberStateChanged | QrCodeUpdated) -> None:
    get_channel().publish(TenantEvent(event.tenant_id, "numbers", {"number_id": event.number_id}))


def register(bus: EventBus) -> None:
    bus.subscribe(NumberStateChanged, on_number_changed)
    bus.subscribe(QrCodeUpdated, on_number_changed)
