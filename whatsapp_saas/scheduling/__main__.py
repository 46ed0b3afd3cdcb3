"""``python -m whatsapp_saas.scheduling``: the scheduler as its own process.

Stops cleanly on SIGTERM or SIGINT (handing its lease to a standby at once).
"""

from __future__ import annotations

import asyncio
import signal

from whatsapp_saas.bootstrap import bootstrap
from whatsapp_saas.config import get_settings
from whatsapp_saas.events.bus import bus
from whatsapp_saas.logging_setup import configure_logging
from whatsapp_saas.scheduling.scheduler import Scheduler
from whatsapp_saas.scheduling.scheduler_startup import SchedulerSettings


async def main() -> None:
    bus.bind_loop(asyncio.get_running_loop())
    scheduler = Scheduler(SchedulerSettings().config())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, scheduler.stop)
    await scheduler.run()


if __name__ == "__main__":
    configure_logging(get_settings())
    bootstrap()
    asyncio.run(main())
