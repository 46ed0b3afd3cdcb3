"""The scheduler as a lifespan task of the web app (embedded mode, and every web worker).

Every worker runs one; the database lease makes exactly one of them lead, and the others
stand by to take over. ``SCHEDULER_IN_APP=false`` leaves it to ``python -m
whatsapp_saas.scheduling`` processes instead.
"""

from __future__ import annotations

import asyncio

from whatsapp_saas.events.bus import bus
from whatsapp_saas.scheduling.scheduler_startup import (
    SchedulerSettings,
    start_embedded_scheduler,
    stop_embedded_scheduler,
)


async def embedded_scheduler() -> None:
    if not SchedulerSettings().in_app:
        return
    bus.bind_loop(asyncio.get_running_loop())
    try:
        await start_embedded_scheduler()
        await asyncio.Event().wait()
    finally:
        await asyncio.shield(stop_embedded_scheduler())
