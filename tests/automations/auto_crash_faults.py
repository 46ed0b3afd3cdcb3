"""Fault hooks for the Redis-mode automations crash test, installed from the environment in
the production processes that test starts, so each process is launched as production launches
it plus one import:

    python -m tests.automations.auto_crash_faults     (runs ``python -m whatsapp_saas.scheduling``)
    taskiq worker whatsapp_saas.delivery.worker.broker:broker \\
        whatsapp_saas.delivery.worker.tasks tests.automations.auto_crash_faults

``AUTO_CRASH_STALL=<point>:<marker file>`` writes the marker and sleeps at one point:

- ``judged`` (scheduler): the automations subscriber judged a message and queued the reply,
  inside the spine runner's transaction (nothing committed yet);
- ``committed`` (scheduler): that transaction committed (run row, queued reply, cursor), and
  the outbox waker is about to write the delivery wake-up (it never does);
- ``sent`` (worker): the send came back from the manager (the driver sent it to the phone),
  and the worker is about to record it (it never does).

The test kills the process while it sleeps; the restarted process runs without the variable.
"""

from __future__ import annotations

import asyncio
import os
import runpy
import time
from collections.abc import Sequence
from pathlib import Path

from whatsapp_saas.delivery.common.jobs import SendJob, SendOutcome
from whatsapp_saas.delivery.worker import notifier, send_pipeline
from whatsapp_saas.inbox.outbox import OutboundJob

STALL = 120.0  # seconds: far longer than the test takes to kill us


def stall_after_commit(marker: Path) -> None:
    wake = notifier.StreamNotifier.wake

    def stalled(self: notifier.StreamNotifier, jobs: Sequence[OutboundJob]) -> None:
        if jobs:  # called in the committing thread, right after COMMIT
            marker.write_text("committed")
            time.sleep(STALL)
        wake(self, jobs)

    notifier.StreamNotifier.wake = stalled  # type: ignore[method-assign]


def stall_after_send(marker: Path) -> None:
    send = send_pipeline.Pipeline._send

    async def stalled(self: send_pipeline.Pipeline, jobs: list[SendJob]) -> list[SendOutcome]:
        outcomes = await send(self, jobs)
        if any(o.ok for o in outcomes):  # on the phone now; record_batch comes next
            marker.write_text("sent")
            await asyncio.sleep(STALL)
        return outcomes

    send_pipeline.Pipeline._send = stalled  # type: ignore[method-assign]


def install(spec: str) -> None:
    point, _, marker = spec.partition(":")
    if point == "judged":
        from tests.automations.auto_crash_app import stall_after_judging

        stall_after_judging(Path(marker))
    elif point == "committed":
        stall_after_commit(Path(marker))
    elif point == "sent":
        stall_after_send(Path(marker))
    else:
        raise SystemExit(f"AUTO_CRASH_STALL: unknown point {point!r}")


if os.environ.get("AUTO_CRASH_STALL"):
    install(os.environ["AUTO_CRASH_STALL"])

if __name__ == "__main__":
    runpy.run_module("whatsapp_saas.scheduling", run_name="__main__", alter_sys=True)
