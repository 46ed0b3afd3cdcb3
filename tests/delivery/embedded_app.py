"""A stand-in for the web app in embedded mode: manager node plus in-process delivery in one
process, started and stopped the way the app's lifespan does. Run by the fault tests:

    python -m tests.delivery.embedded_app      (SIGTERM stops it cleanly)
"""

from __future__ import annotations

import asyncio
import signal

from whatsapp_saas.bootstrap import bootstrap
from whatsapp_saas.config import get_settings
from whatsapp_saas.delivery.worker.embedded import start_embedded_delivery, stop_embedded_delivery
from whatsapp_saas.events.bus import bus
from whatsapp_saas.logging_setup import configure_logging
from whatsapp_saas.whatsapp.manager import start_embedded_manager, stop_embedded_manager
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings


async def main() -> None:
    configure_logging(get_settings())
    bootstrap()
    loop = asyncio.get_running_loop()
    bus.bind_loop(loop)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await start_embedded_manager(ManagerSettings())
    await start_embedded_delivery()
    print("embedded app ready", flush=True)
    await stop.wait()
    await stop_embedded_delivery()
    await stop_embedded_manager()


if __name__ == "__main__":
    asyncio.run(main())
