"""Run one standalone manager node: ``python -m whatsapp_saas.whatsapp.manager``.

Several nodes can run at once against PostgreSQL and Redis; leases decide who runs what.
SIGTERM/SIGINT stop the node cleanly (final snapshots, leases released for the others).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from whatsapp_saas.bootstrap import App, Role, bootstrap
from whatsapp_saas.config import get_settings
from whatsapp_saas.logging_setup import configure_logging

log = logging.getLogger("whatsapp_saas.whatsapp.manager")


async def run(app: App) -> None:
    assert app.manager is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    print(f"manager node {app.manager.node_id} running", flush=True)
    try:
        await stop.wait()
    finally:
        await app.stop()


def main() -> int:
    settings = get_settings()  # validated when built: an unsafe production config stops here
    configure_logging(settings)
    asyncio.run(run(bootstrap(settings, Role.MANAGER)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
