"""Scheduling accuracy: 1,000 schedules due within one minute, how late is each one queued?

    python bench/bench_scheduling.py [--count 1000] [--spread 60] [--interval 0.5]
                                     [--schedulers 1]

The schedules go into a throwaway PostgreSQL database, spread evenly over ``--spread`` seconds
starting a few seconds from now. The scheduler runs as its own process (``python -m
whatsapp_saas.scheduling``), as in production; with ``--schedulers 2`` a standby runs beside
the leader. Lateness is measured from each schedule's ``due_at`` to the ``created_at`` of the
queued outbound message it produced (the row the delivery workers pick up), and the count of
messages is checked against the count of schedules (no loss, no duplicates).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["APP_ENV"] = "test"
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="bench_sched_")
os.environ.pop("REDIS_URL", None)

import psycopg  # noqa: E402
from benchdb import create_database, drop_database, point_app_at  # noqa: E402

LEAD_IN = 5.0  # seconds before the first schedule is due (the scheduler starts meanwhile)


def seed(count: int, spread: float) -> datetime:
    """A tenant, a number, 200 contacts and ``count`` schedules; returns the first due time."""
    from whatsapp_saas.contacts.service import create_contact
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.scheduling.models import ScheduledMessage
    from whatsapp_saas.scheduling.recurrence import utc_to_local
    from whatsapp_saas.tenancy.models import Tenant
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as session:
        tenant = Tenant(name="Bench", timezone="America/Sao_Paulo")
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name="Main", phone="+5511900000000")
        session.add(number)
        session.flush()
        scope = TenantScope(session, tenant.id)
        contacts = [create_contact(scope, phone=f"+55119{70000000 + i}") for i in range(200)]
        session.flush()
        first = datetime.now(UTC) + timedelta(seconds=LEAD_IN)
        for i in range(count):
            due = first + timedelta(seconds=spread * i / count)
            session.add(
                ScheduledMessage(
                    tenant_id=tenant.id,
                    number_id=number.id or 0,
                    contact_id=contacts[i % len(contacts)].id or 0,
                    text=f"bench {i}",
                    due_at=due,
                    timezone=tenant.timezone,
                    anchor_local=utc_to_local(due, tenant.timezone),
                )
            )
    return first


def start_scheduler(url: str, interval: float, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "SCHEDULER_INTERVAL": str(interval)}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "whatsapp_saas.scheduling"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def done_count(url: str) -> tuple[int, int]:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        claimed = conn.execute(
            "SELECT count(*) FROM scheduled_messages WHERE status <> 'pending'"
        ).fetchone()
        messages = conn.execute(
            "SELECT count(*) FROM messages WHERE sent_by = 'schedule'"
        ).fetchone()
    return int(claimed[0] if claimed else 0), int(messages[0] if messages else 0)


def lateness(url: str) -> tuple[list[float], int]:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        rows = conn.execute(
            "SELECT EXTRACT(EPOCH FROM m.created_at - s.due_at), s.status "
            "FROM scheduled_messages s JOIN messages m ON m.id = s.message_id"
        ).fetchall()
    return [float(r[0]) * 1000 for r in rows], sum(1 for r in rows if r[1] == "late")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def report(
    values: list[float], late: int, count: int, messages: int, args: argparse.Namespace
) -> None:
    print(
        f"\nScheduling accuracy: {count} schedules due within {args.spread:.0f} s, "
        f"{args.schedulers} scheduler process(es), poll interval {args.interval} s"
    )
    print(
        f"  queued messages: {messages} (expected {count}: "
        f"{'no loss, no duplicates' if messages == count else 'MISMATCH'}); marked late: {late}"
    )
    print("  lateness, due_at -> queued message row created (ms):")
    for name, p in (("p50", 50), ("p90", 90), ("p99", 99)):
        print(f"    {name:>4}: {percentile(values, p):8.1f}")
    print(f"    {'max':>4}: {max(values):8.1f}")
    print(f"    {'min':>4}: {min(values):8.1f}   mean: {statistics.fmean(values):.1f}")
    edges = [100, 250, 500, 750, 1000, 2000, 5000]
    counts = [
        sum(1 for v in values if lo <= v < hi)
        for lo, hi in zip([float("-inf"), *edges], [*edges, float("inf")], strict=True)
    ]
    labels = [
        f"<{edges[0]}",
        *[f"{a}-{b}" for a, b in itertools.pairwise(edges)],
        f">={edges[-1]}",
    ]
    print(
        "  histogram (ms): "
        + ", ".join(f"{lab}: {c}" for lab, c in zip(labels, counts, strict=True))
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--schedulers", type=int, default=1)
    args = parser.parse_args()
    name, url = create_database("bench_sched")
    processes: list[subprocess.Popen[bytes]] = []
    log = Path(os.environ["DATA_DIR"]) / "scheduler.log"
    try:
        point_app_at(url)
        seed(args.count, args.spread)
        processes = [start_scheduler(url, args.interval, log) for _ in range(args.schedulers)]
        deadline = time.monotonic() + LEAD_IN + args.spread + 60
        claimed = messages = 0
        while time.monotonic() < deadline:
            claimed, messages = done_count(url)
            if claimed >= args.count:
                break
            time.sleep(0.5)
        time.sleep(1.0)  # a duplicate would show up now
        claimed, messages = done_count(url)
        values, late = lateness(url)
        if not values:
            print("no schedule was dispatched; scheduler log:\n" + log.read_text()[-3000:])
            return 1
        report(values, late, args.count, messages, args)
        return 0 if messages == args.count else 1
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_database(name)


if __name__ == "__main__":
    sys.exit(main())
