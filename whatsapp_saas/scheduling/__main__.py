"""``python -m whatsapp_saas.scheduling``: the scheduler as its own process.

``App.start`` runs the scheduler loop and, beside it, the spine's durable subscribers
(automations, follow-up stops, opt-outs): with ``SCHEDULER_IN_APP=false`` on the web (the
production topology) this is the process that runs them. Stops cleanly on SIGTERM or SIGINT
(handing its lease to a standby at once).
"""

from __future__ import annotations

import asyncio
import signal

from whatsapp_saas.bootstrap import App, Role, bootstrap
from whatsapp_saas.config import get_settings
from whatsapp_saas.logging_setup import configure_logging


async def main(app: App) -> None:
    assert app.scheduler is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.start()
    try:
        await stop.wait()
    finally:
        await app.stop()


if __name__ == "__main__":
    settings = get_settings()  # validated when built: an unsafe production config stops here
    configure_logging(settings)
    asyncio.run(main(bootstrap(settings, Role.SCHEDULER)))
