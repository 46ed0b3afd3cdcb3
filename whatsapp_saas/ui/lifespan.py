"""Background tasks that live inside the web process.

The realtime hub runs in every web worker: it reads every tenant event and pushes live updates
into the tabs whose sockets this worker holds (ui.inbox.hub). With RUN_MANAGER_IN_APP (the
default, and what embedded mode needs) the connection manager and the delivery workers run
here too; in production they can run as their own processes instead — leases give each
number one owner, so extra copies are harmless.
The scheduler has its own lifespan task (whatsapp_saas.ui.scheduling.lifespan).
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from whatsapp_saas.config import get_settings
from whatsapp_saas.events.bus import bus
from whatsapp_saas.inbox.media_sweep import sweep_forever
from whatsapp_saas.realtime.channel import Channel, get_channel
from whatsapp_saas.ui.inbox.hub import InboxHub
from whatsapp_saas.ui.inbox.state import push_to_tab
from whatsapp_saas.ui.realtime import shared_feeds_changed

log = logging.getLogger(__name__)


def realtime_hub(channel: Channel) -> InboxHub:
    """The web worker's one subscriber to the tenant channel."""
    hub = InboxHub(channel, push_to_tab)
    hub.on_other = shared_feeds_changed
    return hub


async def background_services() -> None:
    """Connection manager, then delivery; stopped in reverse order."""
    from whatsapp_saas.delivery.embedded import start_embedded_delivery, stop_embedded_delivery
    from whatsapp_saas.whatsapp.manager import start_embedded_manager, stop_embedded_manager

    bus.bind_loop(asyncio.get_running_loop())
    sweeper: asyncio.Task[None] | None = None
    try:
        await start_embedded_manager()
        await start_embedded_delivery()
        sweeper = asyncio.create_task(sweep_forever(_owned_numbers))
        await asyncio.Event().wait()
    finally:
        if sweeper is not None:
            sweeper.cancel()
        await asyncio.shield(_stop_all(stop_embedded_delivery, stop_embedded_manager))


def _owned_numbers() -> list[int]:
    from whatsapp_saas.whatsapp.manager.node import local_nodes

    return [number_id for node in local_nodes() for number_id in list(node.runners)]


async def _stop_all(*stops) -> None:  # type: ignore[no-untyped-def]
    for stop in stops:
        try:
            await stop()
        except Exception:
            log.exception("background service %s did not stop cleanly", stop.__name__)


def register_background_tasks(app: rx.App, channel: Channel | None = None) -> None:
    app.register_lifespan_task(realtime_hub(channel or get_channel()))
    if get_settings().run_manager_in_app:
        app.register_lifespan_task(background_services)
