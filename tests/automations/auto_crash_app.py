"""The embedded app the automations crash test kills: manager, delivery, scheduler and the
spine runner with the automations subscriber, all in one process, as the web app runs them.

    python -m tests.automations.auto_crash_app [--no-delivery] [--stall MARKER]

``--no-delivery``: nothing sends, so a reply the engine queued stays queued until the kill.
``--stall MARKER``: the automations subscriber writes MARKER once it has judged a message and
queued the reply, then sleeps inside the runner's transaction (so the kill lands between the
trigger and the commit).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from pathlib import Path
from typing import Any

from whatsapp_saas.automations import handlers
from whatsapp_saas.bootstrap import Role, bootstrap
from whatsapp_saas.config import get_settings
from whatsapp_saas.logging_setup import configure_logging
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings


def stall_after_judging(marker: Path) -> None:
    judge = handlers.run_rules

    def run_rules(*args: Any, **kwargs: Any) -> Any:
        outcome = judge(*args, **kwargs)
        if outcome is not None and outcome.fired:
            marker.write_text("judged")
            time.sleep(120)  # the test kills us here, before the runner commits
        return outcome

    handlers.run_rules = run_rules  # type: ignore[assignment]


async def main(args: argparse.Namespace) -> None:
    settings = get_settings()
    configure_logging(settings)
    if args.stall:
        stall_after_judging(Path(args.stall))
    skip = ("embedded_delivery",) if args.no_delivery else ()
    graph = bootstrap(settings, Role.EMBEDDED, manager_settings=ManagerSettings(), skip=skip)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await graph.start()
    print("automations app ready", flush=True)
    await stop.wait()
    await graph.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-delivery", action="store_true")
    parser.add_argument("--stall")
    asyncio.run(main(parser.parse_args()))
