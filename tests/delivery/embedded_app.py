"""A stand-in for the web app in embedded mode: manager node plus in-process delivery in one
process, built and started the way the app's lifespan does (its graph, without the scheduler).
Run by the fault tests:

    python -m tests.delivery.embedded_app      (SIGTERM stops it cleanly)
"""

from __future__ import annotations

import asyncio
import signal

from whatsapp_saas.bootstrap import Role, bootstrap
from whatsapp_saas.config import get_settings
from whatsapp_saas.logging_setup import configure_logging
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings


async def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    graph = bootstrap(
        settings, Role.EMBEDDED, manager_settings=ManagerSettings(), skip=("scheduler",)
    )
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await graph.start()
    print("embedded app ready", flush=True)
    await stop.wait()
    await graph.stop()


if __name__ == "__main__":
    asyncio.run(main())
