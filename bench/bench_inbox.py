"""Inbox benchmarks on PostgreSQL (a throwaway database, dropped at the end).

    python bench/bench_inbox.py [--messages 20000] [--contacts 2000] [--batch 500]
                                [--conversations 100000] [--large-messages 1000000]

(a) Ingest throughput: the batch ingest (``ingest_batch``), the async pipeline the connection
    manager feeds (``IngestPipeline.submit``), single-event ingest (one transaction each) and
    replays; against the raw single-row INSERT rate ``pgbench`` reaches on this machine.
(b) Large data: 100,000 conversations and 1,000,000 messages made with INSERT ... SELECT
    generate_series; server time of the first conversation page and of message searches,
    with EXPLAIN (ANALYZE, BUFFERS) plans showing the indexes used.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["APP_ENV"] = "test"
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="bench_inbox_")

import psycopg  # noqa: E402
from benchdb import create_database, drop_database, point_app_at  # noqa: E402


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


# --- setup ------------------------------------------------------------------------------------


def make_tenant() -> tuple[int, int]:
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.models import Tenant
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as session:
        tenant = Tenant(name="Bench")
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name="bench")
        session.add(number)
        session.flush()
        assert number.id is not None
        return tenant.id, number.id


# --- (a) ingest -------------------------------------------------------------------------------


def events(tenant_id: int, number_id: int, count: int, contacts: int, tag: str) -> list[Any]:
    from whatsapp_saas.whatsapp import gateway as gw
    from whatsapp_saas.whatsapp.events import InboundMessageArrived

    start = datetime.now(UTC)
    out = []
    for i in range(count):
        phone = f"55119{(i % contacts):08d}"
        msg = gw.MessageReceived(
            session_id=str(number_id),
            message_id=f"{tag}{i:010d}",
            chat=f"{phone}@s.whatsapp.net",
            sender_jid=f"{phone}@s.whatsapp.net",
            sender_lid=None,
            push_name=f"Customer {i % contacts}",
            timestamp=start + timedelta(milliseconds=i),
            text=f"message {i} about order {i % 97}",
        )
        out.append(InboundMessageArrived(tenant_id, number_id, msg))
    return out


def bench_ingest(args: argparse.Namespace, tenant_id: int, number_id: int) -> dict[str, float]:
    from whatsapp_saas.inbox.ingest import ingest_batch, ingest_event

    results: dict[str, float] = {}
    batch_events = events(tenant_id, number_id, args.messages, args.contacts, "B")
    started = time.perf_counter()
    for i in range(0, len(batch_events), args.batch):
        ingest_batch(batch_events[i : i + args.batch])
    results["batch"] = args.messages / (time.perf_counter() - started)

    # Inbox hooks belong to a pipeline (IngestPipeline.hooks) and bootstrap registers none:
    # what reacts to messages is a durable subscriber of the spine, not a hook.
    print("  automation hooks registered by bootstrap: none")
    pipe_events = events(tenant_id, number_id, args.messages, args.contacts, "P")
    results["pipeline"], _ = asyncio.run(run_pipeline(pipe_events, args.batch))
    hooked_events = events(tenant_id, number_id, args.messages, args.contacts, "H")
    results["hooked"], results["hooks_done"] = asyncio.run(run_pipeline(hooked_events, args.batch))

    started = time.perf_counter()
    for i in range(0, len(batch_events), args.batch):
        ingest_batch(batch_events[i : i + args.batch])
    results["replay"] = args.messages / (time.perf_counter() - started)

    singles = events(tenant_id, number_id, args.singles, args.contacts, "S")
    started = time.perf_counter()
    for event in singles:
        ingest_event(event)
    results["single"] = args.singles / (time.perf_counter() - started)
    return results


async def run_pipeline(items: list[Any], batch: int) -> tuple[float, float]:
    """(msg/s until all committed, msg/s until hooks and downloads are done too)."""
    from whatsapp_saas.events.bus import EventBus
    from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline

    pipeline = IngestPipeline(bus=EventBus(), max_batch=batch)  # no typing: nothing to hear
    started = time.perf_counter()
    for event in items:  # like the manager: one await per event, never waiting for commit
        await pipeline.submit(event)
    assert pipeline._queue is not None
    await pipeline._queue.join()
    committed = time.perf_counter() - started
    await pipeline.flush()
    drained = time.perf_counter() - started
    await pipeline.stop()
    print(f"  pipeline: {pipeline.stored:,} stored in {pipeline.batches} transactions")
    return len(items) / committed, len(items) / drained


def pgbench_tps(db_url: str, seconds: int) -> float | None:
    """Raw single-row INSERT rate: pgbench, 2 clients, one INSERT per transaction."""
    binary = shutil.which("pgbench") or "/usr/lib/postgresql/15/bin/pgbench"
    if not Path(binary).exists():
        print("  pgbench not found; skipping the raw insert rate")
        return None
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_rows (id bigserial PRIMARY KEY,"
            " number_id int NOT NULL, wa_id text NOT NULL, body text, UNIQUE (number_id, wa_id))"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(
            "INSERT INTO bench_rows (number_id, wa_id, body) "
            "VALUES (1, md5(random()::text || clock_timestamp()::text), 'hello there');\n"
        )
    dbname = db_url.rsplit("/", 1)[1]
    cmd = [
        binary,
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        "-n",
        "-f",
        script.name,
        "-T",
        str(seconds),
        "-c",
        "2",
        dbname,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    Path(script.name).unlink(missing_ok=True)
    found = re.search(r"tps = ([\d.]+)", out.stdout)
    if not found:
        print("  pgbench failed:", out.stderr.strip()[:300])
        return None
    return float(found.group(1))


def report_ingest(args: argparse.Namespace, results: dict[str, float], tps: float | None) -> None:
    print("\n(a) Ingest throughput on PostgreSQL")
    print(f"  {args.messages:,} messages from {args.contacts:,} contacts, batches of {args.batch}")
    print(f"  batch ingest (ingest_batch):         {results['batch']:>10,.0f} msg/s")
    print(f"  pipeline (submit, as the manager):   {results['pipeline']:>10,.0f} msg/s")
    print(
        f"  pipeline with the registered hooks:  {results['hooked']:>10,.0f} msg/s committed,"
        f" {results['hooks_done']:,.0f} msg/s incl. hooks"
    )
    print(f"  replay of the same events (dedupe):  {results['replay']:>10,.0f} msg/s")
    print(f"  single-event ingest (1 tx/event):    {results['single']:>10,.0f} msg/s")
    if tps:
        print(f"  pgbench raw single-row INSERT (-c 2):{tps:>10,.0f} rows/s (mean of before/after)")
        print(f"  ratio batch ingest / pgbench:        {results['batch'] / tps:>10.2f}x")
        print(f"  ratio pipeline / pgbench:            {results['pipeline'] / tps:>10.2f}x")
        print(f"  ratio single-event / pgbench:        {results['single'] / tps:>10.2f}x")
    verdict = "OK" if results["pipeline"] >= 1000 else "BELOW TARGET"
    print(f"  target >= 1,000 msg/s through the pipeline: {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--singles", type=int, default=1_000)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--large-messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from inbox_large_data import bench_large_data

    name, url = create_database("bench_inbox")
    try:
        point_app_at(url)
        tenant_id, number_id = make_tenant()
        # pgbench right before and right after the ingest runs: this machine is shared, and
        # the ratio means something only against the rate of the same minutes.
        before = pgbench_tps(url, args.pgbench_seconds)
        results = bench_ingest(args, tenant_id, number_id)
        after = pgbench_tps(url, args.pgbench_seconds)
        rates = [r for r in (before, after) if r]
        if rates:
            print(f"  pgbench before/after: {before or 0:,.0f} / {after or 0:,.0f} rows/s")
        report_ingest(args, results, sum(rates) / len(rates) if rates else None)
        bench_large_data(url, args)
    finally:
        drop_database(name)
        shutil.rmtree(os.environ["DATA_DIR"], ignore_errors=True)
    print(f"\nthrowaway database {name} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
