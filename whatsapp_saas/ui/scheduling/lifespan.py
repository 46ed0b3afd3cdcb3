"""The scheduler as a lifespan task of the web app (embedded mode, and every web worker).

Every worker runs one; the database lease makes exactly one of them lead, and the others
stand by to take over. ``SCHEDULER_IN_APP=false`` leaves it to ``python -m
whatsapp_saas.scheduling`` processes instead.
"""

from __future__ import annotations

import asyncio

from whatsapp_saas.bootstrap import durable_subscribers, event_registry
from whatsapp_saas.config import get_settings
from whatsapp_saas.events.bus import bus
from whatsapp_saas.events.spine import spine_options, start_spine_runner
from whatsapp_saas.scheduling.runtime import (
    SchedulerSettings,
    start_embedded_scheduler,
    stop_embedded_scheduler,
)


async def embedded_scheduler() -> None:
    """The scheduler, and beside it the event spine's durable subscribers (in-process: the
    runner hears this process's bus; with Redis, every process's commits wake it)."""
    if not SchedulerSettings().in_app:
        return
    bus.bind_loop(asyncio.get_running_loop())
    spine = None
    try:
        spine = await start_spine_runner(
            bus=bus,
            subscribers=durable_subscribers(),
            registry=event_registry(),
            options=spine_options(get_settings()),
        )
        await start_embedded_scheduler()
        await asyncio.Event().wait()
    finally:
        await asyncio.shield(stop_embedded_scheduler())
        if spine is not None:
            await asyncio.shield(spine.stop())
