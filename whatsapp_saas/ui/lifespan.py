"""Background tasks that live inside the web process.

The realtime relay runs in every web worker (with Redis, a consumer group gives each event to
one of them). In embedded mode (no Redis) the connection manager runs here too; with Redis it
runs as its own process (``python -m whatsapp_saas.whatsapp.manager``) unless
RUN_MANAGER_IN_APP asks for it here — and several copies are safe: leases give each number one
owner.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from whatsapp_saas.config import get_settings
from whatsapp_saas.events.bus import bus
from whatsapp_saas.ui.realtime import relay

log = logging.getLogger(__name__)


async def realtime_relay(app: rx.App) -> None:
    await relay(app)


async def connection_manager() -> None:
    from whatsapp_saas.whatsapp.manager import start_embedded_manager, stop_embedded_manager

    bus.bind_loop(asyncio.get_running_loop())
    try:
        await start_embedded_manager()
        await asyncio.Event().wait()
    finally:
        await asyncio.shield(stop_embedded_manager())


def register_background_tasks(app: rx.App) -> None:
    app.register_lifespan_task(realtime_relay)
    if get_settings().run_manager_in_app:
        app.register_lifespan_task(connection_manager)
