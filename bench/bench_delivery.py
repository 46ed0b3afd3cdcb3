"""Outbound delivery benchmarks: throughput to the simulator, and queue latency.

    python bench/bench_delivery.py [--numbers 40] [--customers 50] [--messages 10000]
                                   [--workers 2] [--rate 50] [--seconds 20]

Production shape, every piece in its own process: the simulator, one connection-manager node
(``python -m whatsapp_saas.whatsapp.manager``, with its send agent), ``--workers`` taskiq
delivery workers, PostgreSQL and a private redis-server; this script plays the app.

1. Throughput: ``--messages`` queued at once over ``--numbers`` linked numbers (governor off);
   sends per second from the commit to the last ``sent``.
2. Queue latency: attendants' replies (the inbox's ``queue_message``, one transaction each,
   woken after commit) at ``--rate`` per second; enqueue-to-``sent`` p50/p90/p99/max.

Needs PostgreSQL on 127.0.0.1 and ``redis-server`` on the PATH; uses a throwaway database.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["APP_ENV"] = "test"
os.environ["WHATSAPP_DRIVER"] = "simulator"
os.environ["DELIVERY_GOVERNOR_ENABLED"] = "false"
os.environ["MANAGER_LOG_LEVEL"] = "WARNING"
os.environ["MANAGER_START_RATE"] = "50"

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
WORKER = [
    sys.executable, "-m", "taskiq", "worker", "whatsapp_saas.delivery.worker.broker:broker",
    "whatsapp_saas.delivery.worker.tasks", "--workers", "1", "--max-async-tasks", "500",
    "--max-prefetch", "0", "--log-level", "WARNING", "--shutdown-timeout", "5",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    """The processes of the benchmark; everything is stopped (SIGTERM, then kill) at the end."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logdir = Path(tempfile.mkdtemp(prefix="bench-delivery-"))

    def spawn(self, name: str, cmd: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logdir / f"{name}.log").open("wb")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ), stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def make_database() -> str:
    import psycopg

    name = f"wa_bench_dlv_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    from whatsapp_saas.config import reset_settings_cache
    from whatsapp_saas.db import reset_engine

    reset_settings_cache()
    reset_engine()
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    return name


def drop_database(name: str) -> None:
    import psycopg

    from whatsapp_saas.db import reset_engine

    reset_engine()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def wait_for(check: Any, timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


def sent_count(ids: list[int]) -> int:
    from tests.delivery.dlv_procs import status_counts

    return status_counts(ids)["sent"]


def timings(ids: list[int]) -> list[tuple[float, float]]:
    """(queued_at, sent_at) of each message, as epoch seconds."""
    from tests.delivery.dlv_helpers import rows
    from whatsapp_saas.models_base import as_utc

    found = rows(ids).values()
    return [(as_utc(m.queued_at).timestamp(), as_utc(m.sent_at).timestamp())
            for m in found if m.queued_at and m.sent_at]  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def setup(args: argparse.Namespace, stack: Stack) -> tuple[int, list[tuple[int, int]]]:
    from tests.delivery.dlv_helpers import make_conversations, make_tenant, random_phone
    from tests.delivery.dlv_live import link_numbers

    tenant_id = make_tenant("Bench")
    print(f"linking {args.numbers} numbers...", flush=True)
    linked = await link_numbers(os.environ["SIMULATOR_URL"], tenant_id, args.numbers)
    threads: list[tuple[int, int]] = []
    for number_id, _ in linked:
        customers = [random_phone() for _ in range(args.customers)]
        made = await asyncio.to_thread(make_conversations, tenant_id, number_id, customers)
        threads += [(t, number_id) for t in made]
    for index in range(args.workers):
        stack.spawn(f"worker-{index}", WORKER)
    await asyncio.sleep(5)  # workers up (imports, group, sweeper)
    return tenant_id, threads


async def bench_throughput(
    args: argparse.Namespace, tenant_id: int, threads: list[tuple[int, int]]
) -> None:
    from tests.delivery.dlv_helpers import bulk_queue

    rounds = max(1, args.messages // len(threads))
    items = [(t, n, f"bulk {r}") for r in range(rounds) for t, n in threads][: args.messages]
    print(f"throughput: {len(items)} messages over {args.numbers} numbers...", flush=True)
    started = time.time()
    ids = await asyncio.to_thread(bulk_queue, tenant_id, items)
    committed = time.time()
    await wait_for(lambda: sent_count(ids) == len(ids), 600, "all sent", every=0.5)
    last = max(sent for _, sent in timings(ids))
    elapsed = last - committed
    print(f"\n1. Outbound throughput (governor off, {args.workers} workers, 1 manager node)")
    print(f"   {len(ids)} messages, {args.numbers} numbers, {len(threads)} conversations")
    print(f"   queued in {committed - started:.2f} s (one INSERT; wake-ups follow the commit)")
    print(f"   all sent {elapsed:.2f} s after the commit: {len(ids) / elapsed:.0f} sends/s")
    print(f"   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: shared machine)")


async def bench_latency(
    args: argparse.Namespace, tenant_id: int, threads: list[tuple[int, int]]
) -> None:
    from tests.delivery.dlv_helpers import queue

    total = int(args.rate * args.seconds)
    print(f"\nlatency: {total} replies at {args.rate}/s...", flush=True)
    ids: list[int] = []
    start = time.monotonic()
    for index in range(total):
        thread, _ = threads[(index * 7919) % len(threads)]
        ids += await asyncio.to_thread(queue, tenant_id, [(thread, f"reply {index}")])
        pause = start + (index + 1) / args.rate - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
    await wait_for(lambda: sent_count(ids) == len(ids), 120, "all replies sent", every=0.5)
    latencies = [(sent - queued) * 1000 for queued, sent in timings(ids)]
    print(f"\n2. Queue latency, attendant's reply (queued row) -> sent, at {args.rate}/s")
    print(f"   {len(latencies)} replies: p50 {percentile(latencies, 0.5):.0f} ms,"
          f" p90 {percentile(latencies, 0.9):.0f} ms, p99 {percentile(latencies, 0.99):.0f} ms,"
          f" max {max(latencies):.0f} ms, mean {statistics.mean(latencies):.0f} ms")  # fmt: skip
    print(f"   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


async def run(args: argparse.Namespace) -> None:
    from whatsapp_saas.bootstrap import bootstrap
    from whatsapp_saas.delivery.worker import notifier

    stack = Stack()
    redis_port, sim_port = free_port(), free_port()
    database = make_database()
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    os.environ["SIMULATOR_URL"] = f"http://127.0.0.1:{sim_port}"
    from whatsapp_saas.config import reset_settings_cache

    reset_settings_cache()
    stream = None
    try:
        stack.spawn("redis", ["redis-server", "--port", str(redis_port), "--save", "",
                              "--appendonly", "no", "--dir", str(stack.logdir)])  # fmt: skip
        stack.spawn("simulator", [sys.executable, "-m", "whatsapp_saas.simulator", "--port",
                                  str(sim_port), "--log-level", "WARNING"])  # fmt: skip
        await asyncio.sleep(1.5)
        stack.spawn("manager", [sys.executable, "-m", "whatsapp_saas.whatsapp.manager"])
        graph = bootstrap()
        stream = notifier.StreamNotifier(os.environ["REDIS_URL"])
        detach_waker = notifier.attach(graph.bus, stream)
        tenant_id, threads = await setup(args, stack)
        await bench_throughput(args, tenant_id, threads)
        await bench_latency(args, tenant_id, threads)
    finally:
        if stream is not None:
            detach_waker()
            stream.close()
        stack.stop()
        drop_database(database)
        print(f"\n(process logs in {stack.logdir})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=40)
    parser.add_argument("--customers", type=int, default=50, help="conversations per number")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=50.0, help="replies per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
