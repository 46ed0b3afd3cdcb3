"""The process the crash test kills: a durable subscriber (and, in embedded mode, ingest too).

    python tests/events/crash_child.py --calls CALLS_DB [--ingest TENANT NUMBER COUNT] [--no-runner]

Its subscriber writes one effect row per MessageReceived through the runner's transaction
(``spine_crash_effects``, no unique key: a repeat would show) and records every call, before
doing anything, in a table of its own SQLite file (autocommit), which survives ``kill -9``.
Ingest resumes a batch before what is stored (the network redelivers what was never
acknowledged); the database drops the duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from spine_helpers import inbound

from whatsapp_saas.bootstrap import bootstrap, event_registry
from whatsapp_saas.config import get_settings
from whatsapp_saas.db import session_scope
from whatsapp_saas.events.spine import spine_options, start_spine_runner
from whatsapp_saas.events.subscriber import Delivery, Subscriber
from whatsapp_saas.inbox.events import MessageReceived
from whatsapp_saas.inbox.ingest import ingest_batch

NAME = "crash.test"


class Calls:
    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS calls (event_id INTEGER, message_id INTEGER)")

    def record(self, deliveries: list[Delivery]) -> None:
        rows = [(d.event_id, d.event.message_id) for d in deliveries]
        self.db.executemany("INSERT INTO calls VALUES (?, ?)", rows)


def subscriber(calls: Calls) -> Subscriber:
    def handle(session, deliveries: list[Delivery]) -> None:  # type: ignore[no-untyped-def]
        calls.record(deliveries)
        session.execute(
            sa.text("INSERT INTO spine_crash_effects (event_id, message_id) VALUES (:e, :m)"),
            [{"e": d.event_id, "m": d.event.message_id} for d in deliveries],
        )

    return Subscriber(NAME, (MessageReceived,), handle, batch_size=50)


async def ingest(tenant_id: int, number_id: int, count: int) -> None:
    # The network redelivers what was never acknowledged; acks follow commits, so resume a
    # little before what is stored (the overlap shows that duplicates are dropped).
    with session_scope() as session:
        stored = session.execute(
            sa.text("SELECT COUNT(*) FROM messages WHERE number_id = :n"), {"n": number_id}
        ).scalar_one()
    for start in range(max(0, int(stored) - 100) // 100 * 100, count, 100):
        batch = [inbound(tenant_id, number_id, i) for i in range(start, min(count, start + 100))]
        await asyncio.to_thread(ingest_batch, batch)
    print("ingested", flush=True)


async def main(args: argparse.Namespace) -> None:
    bus = bootstrap().bus
    running = None
    if not args.no_runner:
        options = spine_options(get_settings())
        running = await start_spine_runner(
            bus=bus, subscribers=[subscriber(Calls(args.calls))], registry=event_registry(),
            options=options,
        )  # fmt: skip
    if args.ingest:
        tenant_id, number_id, count = args.ingest
        await ingest(tenant_id, number_id, count)
    print("ready", flush=True)
    await asyncio.Event().wait()
    if running is not None:
        await running.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", required=True)
    parser.add_argument("--ingest", nargs=3, type=int)
    parser.add_argument("--no-runner", action="store_true")
    asyncio.run(main(parser.parse_args()))
