"""The runner as a process runs it: started on the loop, woken by the bus right after a
commit (embedded mode), stopped cleanly; and the CLI."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from conftest import Shop

from tests.conftest import current_graph
from whatsapp_saas.bootstrap import event_registry
from whatsapp_saas.db import announce_after_commit, session_scope
from whatsapp_saas.events import cli
from whatsapp_saas.events.spine import SpineOptions, start_spine_runner
from whatsapp_saas.events.subscriber import Delivery, Subscriber
from whatsapp_saas.inbox.events import MessageDelivered, MessageStatusChanged

AT = datetime(2026, 12, 2, tzinfo=UTC)


async def test_the_embedded_runner_handles_what_was_just_committed(shop: Shop) -> None:
    seen: list[int] = []

    def handle(_session: object, deliveries: list[Delivery]) -> None:
        seen.extend(d.event.message_id for d in deliveries)

    sub = Subscriber("test.live", (MessageStatusChanged,), handle)
    # A poll interval far longer than the test: only the bus's wake-up can explain a quick run.
    options = SpineOptions(poll_interval=3600.0, prune_every=3600.0)
    spine = await start_spine_runner(
        bus=current_graph().bus, subscribers=[sub], registry=event_registry(), options=options
    )
    try:
        await asyncio.sleep(0.2)  # its first pass finds nothing
        with session_scope() as session:
            announce_after_commit(
                session, MessageDelivered(shop.tenant_id, 5, 1, 1, "delivered", AT)
            )
        deadline = time.monotonic() + 60
        while not seen and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await spine.stop()
    assert seen == [5]


def test_the_cli_shows_subscribers_and_lag(shop: Shop, capsys: object) -> None:
    with session_scope() as session:
        announce_after_commit(session, MessageDelivered(shop.tenant_id, 5, 1, 1, "delivered", AT))
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "scheduling.hooks" in out
    assert cli.main(["drain"]) == 0
    assert cli.main(["parked"]) == 0
    assert cli.main(["retry", "scheduling.hooks", "999"]) == 1  # no such held event
