"""Run one standalone manager node: ``python -m whatsapp_saas.whatsapp.manager``.

Several nodes can run at once against PostgreSQL and Redis; leases decide who runs what.
SIGTERM/SIGINT stop the node cleanly (final snapshots, leases released for the others).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from whatsapp_saas.bootstrap import bootstrap
from whatsapp_saas.config import check_production, get_settings
from whatsapp_saas.logging_setup import configure_logging
from whatsapp_saas.whatsapp.manager.node import ManagerNode
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings

log = logging.getLogger("whatsapp_saas.whatsapp.manager")


async def run() -> None:
    node = ManagerNode(ManagerSettings())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await node.start()
    print(f"manager node {node.node_id} running", flush=True)
    await stop.wait()
    await node.stop()


def main() -> int:
    settings = get_settings()
    check_production(settings)
    configure_logging(settings)
    bootstrap()
    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
