"""Startup wiring of the spine's live side, in the shape :mod:`whatsapp_saas.bootstrap` expects.

With Redis, every process that commits events also publishes a wake-up for the durable
runners in other processes (the events themselves are already in the table). Without Redis
the runner lives in the committing process and hears the bus itself (see ``spine.py``).
"""

from __future__ import annotations

from whatsapp_saas.config import get_settings
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.live import LiveParts
from whatsapp_saas.events.wake import RedisWakePublisher, channel_for


def register(bus: EventBus, parts: LiveParts) -> None:
    settings = get_settings()
    if settings.redis_url:
        channel = channel_for(settings.effective_database_url)
        RedisWakePublisher(settings.redis_url, channel).attach(bus)
