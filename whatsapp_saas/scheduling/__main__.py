"""``python -m whatsapp_saas.scheduling``: the scheduler as its own process.

Stops cleanly on SIGTERM or SIGINT (handing its lease to a standby at once).
"""

from __future__ import annotations

import asyncio
import signal

from whatsapp_saas.bootstrap import bootstrap, durable_subscribers, event_registry
from whatsapp_saas.config import get_settings
from whatsapp_saas.events.bus import bus
from whatsapp_saas.events.spine import spine_options, start_spine_runner
from whatsapp_saas.logging_setup import configure_logging
from whatsapp_saas.scheduling.runtime import SchedulerSettings
from whatsapp_saas.scheduling.scheduler import Scheduler


async def main() -> None:
    bus.bind_loop(asyncio.get_running_loop())
    scheduler = Scheduler(SchedulerSettings().config())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, scheduler.stop)
    # The durable subscribers of the event spine run beside the scheduler (any number of
    # copies is safe: they take turns per subscriber).
    spine = await start_spine_runner(
        bus=bus,
        subscribers=durable_subscribers(),
        registry=event_registry(),
        options=spine_options(get_settings()),
    )
    try:
        await scheduler.run()
    finally:
        await spine.stop()


if __name__ == "__main__":
    configure_logging(get_settings())
    bootstrap()
    asyncio.run(main())
