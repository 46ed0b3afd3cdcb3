"""End-to-end inbound throughput: simulator → driver → session host → manager → PostgreSQL.

    python bench/bench_inbound.py [--numbers 20] [--messages 20000] [--rate 1000] [--seconds 10]

A simulator process and a standalone manager process (``python -m whatsapp_saas.whatsapp.manager``,
the real ingest pipeline, Redis fan-out) run against a throwaway database. The load generator
posts customer messages to many linked numbers through ``POST /sim/messages/batch``.

1. Burst: ``--messages`` as fast as the simulator accepts them; the rate until every one is
   committed, and until the simulator holds none unacknowledged (acks follow commits).
2. Sustained: ``--rate`` messages/s for ``--seconds``; the commit rate over the run and how far
   the database trails the last accepted message.

3. Spine: the same rates as a ratio of those measured before the durable event spine
   (``bench/baselines/inbound_before_spine.json``), and an A/B in this process: one ingest
   transaction of ``--ab-batch`` messages with and without writing their events (the rest of
   the spine is unchanged), alternated ``--ab-rounds`` times; the ratio must stay >= 0.9.

``--no-hooks`` runs the manager without the after-commit inbox hooks (follow-up cancelling and
opt-out detection cost a transaction per message), to see what ingest and acks alone reach.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["APP_ENV"] = "test"

import httpx  # noqa: E402
import psycopg  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MANAGER_MODULE = "whatsapp_saas.whatsapp.manager"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BATCH = 250
RATES: dict[str, float] = {}
BASELINE = ROOT / "bench" / "baselines" / "inbound_before_spine.json"
# The standalone manager, minus the inbox hooks bootstrap registers (``--no-hooks``).
MANAGER_WITHOUT_HOOKS = """
import sys
from whatsapp_saas.whatsapp.manager import __main__ as manager
building = manager.bootstrap
def without_hooks(*a, **k):
    app = building(*a, **k)
    if app.ingest is not None:
        app.ingest.hooks.clear()
    return app
manager.bootstrap = without_hooks
sys.exit(manager.main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_database() -> tuple[str, str]:
    from alembic.config import Config

    from alembic import command
    from whatsapp_saas.bootstrap import bootstrap
    from whatsapp_saas.config import reset_settings_cache
    from whatsapp_saas.db import reset_engine

    name = f"bench_inbound_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    os.environ["DATABASE_URL"] = url
    reset_settings_cache()
    reset_engine()
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
    bootstrap()
    return name, url


def drop_database(name: str) -> None:
    from whatsapp_saas.db import reset_engine

    reset_engine()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def add_numbers(count: int) -> list[int]:
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.models import Tenant
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.whatsapp import service

    with session_scope() as session:
        tenant = Tenant(name="Bench")
        session.add(tenant)
        session.flush()
        scope = TenantScope(session, tenant.id or 0)
        ids = [service.add_number(scope, name=f"n{i}").id or 0 for i in range(count)]
        for number_id in ids:
            service.request_connect(scope, number_id=number_id)
    return ids


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(sql).fetchall()


async def link_all(client: httpx.AsyncClient, db_url: str, ids: list[int]) -> list[str]:
    phones = {n: f"+55119{n:08d}" for n in ids}
    linked: set[int] = set()
    deadline = time.monotonic() + 120
    while len(linked) < len(ids):
        if time.monotonic() > deadline:
            raise TimeoutError("numbers did not show QR codes")
        rows = query(db_url, "SELECT id, qr_code FROM whatsapp_numbers WHERE qr_code IS NOT NULL")
        for number_id, qr in rows:
            if number_id not in linked:
                resp = await client.post("/sim/link", json={"qr": qr, "phone": phones[number_id]})
                if resp.status_code == 200:
                    linked.add(number_id)
        await asyncio.sleep(0.2)
    sql = "SELECT count(*) FROM whatsapp_numbers WHERE state = 'connected'"
    while query(db_url, sql)[0][0] < len(ids):
        await asyncio.sleep(0.2)
    return list(phones.values())


class Load:
    """Customer messages spread over every business number, posted in batches."""

    def __init__(self, client: httpx.AsyncClient, businesses: list[str], contacts: int) -> None:
        self.client, self.businesses, self.contacts = client, businesses, contacts
        self.posted = 0

    async def post(self, count: int) -> None:
        messages = []
        for _ in range(count):
            i = self.posted
            self.posted += 1
            business = self.businesses[i % len(self.businesses)]
            sender = f"+55219{(i // len(self.businesses)) % self.contacts:08d}"
            messages.append({"from": sender, "to": business, "text": f"order {i} status?"})
        (
            await self.client.post("/sim/messages/batch", json={"messages": messages})
        ).raise_for_status()

    async def pending(self) -> int:
        found = [await self.client.get(f"/sim/phones/{b}") for b in self.businesses]
        return sum(int(r.json()["pending"]) for r in found)


def inbound_count(db_url: str) -> int:
    return int(query(db_url, "SELECT count(*) FROM messages WHERE direction = 'in'")[0][0])


async def wait_count(db_url: str, target: int, timeout: float = 300) -> float:
    deadline = time.monotonic() + timeout
    while inbound_count(db_url) < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {inbound_count(db_url)} of {target} messages stored")
        await asyncio.sleep(0.02)
    return time.perf_counter()


async def wait_acked(load: Load, timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while await load.pending():
        if time.monotonic() > deadline:
            raise TimeoutError("the simulator still holds unacknowledged messages")
        await asyncio.sleep(0.05)
    return time.perf_counter()


async def burst(load: Load, db_url: str, count: int) -> None:
    base = inbound_count(db_url)
    started = time.perf_counter()
    for offset in range(0, count, BATCH):
        await load.post(min(BATCH, count - offset))
    accepted = time.perf_counter()
    committed = await wait_count(db_url, base + count)
    acked = await wait_acked(load)
    print(f"\n1. Burst: {count:,} messages over {len(load.businesses)} numbers")
    print(f"  accepted by the simulator:   {count / (accepted - started):>8,.0f} msg/s")
    print(f"  committed (first post → all): {count / (committed - started):>8,.0f} msg/s")
    RATES["burst"] = count / (committed - started)
    print(f"  acknowledged to the network:  {count / (acked - started):>8,.0f} msg/s")


async def sustained(load: Load, db_url: str, rate: float, seconds: float) -> None:
    base, per_tick = inbound_count(db_url), max(1, int(rate / 20))  # 20 posts a second
    total = int(rate * seconds)
    started = time.perf_counter()
    worst_backlog, sent = 0, 0
    while sent < total:
        await load.post(min(per_tick, total - sent))
        sent += min(per_tick, total - sent)
        worst_backlog = max(worst_backlog, sent - (inbound_count(db_url) - base))
        ahead = started + sent / rate - time.perf_counter()
        if ahead > 0:
            await asyncio.sleep(ahead)
    last_post = time.perf_counter()
    committed = await wait_count(db_url, base + total)
    acked = await wait_acked(load)
    print(f"\n2. Sustained: {rate:,.0f} msg/s offered for {seconds:g} s ({total:,} messages)")
    print(f"  offered rate achieved:       {total / (last_post - started):>8,.0f} msg/s")
    print(f"  committed rate:              {total / (committed - started):>8,.0f} msg/s")
    RATES["sustained"] = total / (committed - started)
    print(f"  DB behind the last post by:  {(committed - last_post) * 1000:>8,.0f} ms")
    print(f"  acks behind the last post:   {(acked - last_post) * 1000:>8,.0f} ms")
    print(f"  worst backlog (posted - stored, sampled): {worst_backlog:,}")


def report_against_baseline() -> None:
    before = json.loads(BASELINE.read_text())
    print("\n3. Spine: inbound throughput after / before the durable event spine")
    for key, label in (("burst", "burst committed"), ("sustained", "sustained committed")):
        was = float(before[f"{key}_committed_msg_s"])
        now = RATES[key]
        print(f"  {label:<22} {now:>7,.0f} vs {was:>5,.0f} msg/s: ratio {now / was:.2f}x")


def _record_nothing(session: object, *, events: object) -> int:
    return 0


def spine_ab(number_id: int, size: int, rounds: int) -> None:
    """One ingest transaction with and without writing the events rows, alternated."""
    from whatsapp_saas.events import store
    from whatsapp_saas.inbox.ingest import ingest_batch
    from whatsapp_saas.tenancy.models import Tenant  # noqa: F401  (models loaded)
    from whatsapp_saas.whatsapp import gateway as gw
    from whatsapp_saas.whatsapp.events import InboundMessageArrived

    tenant_id = int(query(os.environ["DATABASE_URL"], "SELECT min(id) FROM tenants")[0][0])
    serial = iter(range(10**9))

    def batch() -> list[InboundMessageArrived]:
        items = []
        for _ in range(size):
            i = next(serial)
            phone = f"55319{i % 200:08d}"
            msg = gw.MessageReceived(
                session_id=str(number_id), message_id=f"AB{i:010d}", chat=f"{phone}@s.whatsapp.net",
                sender_jid=f"{phone}@s.whatsapp.net", sender_lid=None, push_name="AB",
                timestamp=datetime.now(UTC), text=f"ab {i}",
            )  # fmt: skip
            items.append(InboundMessageArrived(tenant_id, number_id, msg))
        return items

    record = store.record
    timings: dict[str, float] = {"with": 0.0, "without": 0.0}
    ingest_batch(batch())  # warm-up: contacts and conversations exist
    for _ in range(rounds):
        for mode in ("without", "with"):
            items = batch()
            store.record = record if mode == "with" else _record_nothing  # type: ignore[assignment]
            started = time.perf_counter()
            ingest_batch(items)
            timings[mode] += time.perf_counter() - started
    store.record = record
    per_s = {mode: rounds * size / seconds for mode, seconds in timings.items()}
    print(f"  ingest of {size} messages per transaction, {rounds} rounds each, in-process:")
    print(f"    without the events rows: {per_s['without']:>8,.0f} msg/s")
    print(f"    with the events rows:    {per_s['with']:>8,.0f} msg/s")
    print(f"  ratio with / without the spine's writes: {per_s['with'] / per_s['without']:.2f}x")


def env_for(db_url: str, sim_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=REDIS_URL,
        SIMULATOR_URL=sim_url,
        WHATSAPP_DRIVER="simulator",
        MANAGER_START_RATE="100",
        MANAGER_LOG_LEVEL="WARNING",
    )
    return env


async def run(args: argparse.Namespace) -> None:
    name, db_url = create_database()
    logs = Path(tempfile.mkdtemp(prefix="bench-inbound-"))
    port = free_port()
    sim_url = f"http://127.0.0.1:{port}"
    env = env_for(db_url, sim_url)
    sim_args = ["-m", "whatsapp_saas.simulator", "--port", str(port), "--log-level", "WARNING"]
    manager = ["-c", MANAGER_WITHOUT_HOOKS] if args.no_hooks else ["-m", MANAGER_MODULE]
    procs = [spawn(sim_args, env, logs / "simulator.log")]
    # The scheduler runs the durable subscribers (follow-ups, opt-outs) off the events table,
    # which the manager used to run itself after each commit.
    if not args.no_hooks:
        procs.append(spawn(["-m", "whatsapp_saas.scheduling"], env, logs / "scheduler.log"))
    try:
        ids = add_numbers(args.numbers)
        procs.append(spawn(manager, env, logs / "manager.log"))
        async with httpx.AsyncClient(base_url=sim_url, timeout=60) as client:
            businesses = await link_all(client, db_url, ids)
            load = Load(client, businesses, args.contacts)
            await load.post(len(businesses))  # warm-up: every contact path exists once
            await wait_count(db_url, len(businesses))
            await burst(load, db_url, args.messages)
            await sustained(load, db_url, args.rate, args.seconds)
            report_against_baseline()
            await asyncio.to_thread(spine_ab, ids[0], args.ab_batch, args.ab_rounds)
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        drop_database(name)
    hooks = "without" if args.no_hooks else "with"
    print(f"\n(manager {hooks} the inbox hooks) logs in {logs}; database {name} dropped")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--numbers", type=int, default=20)
    parser.add_argument("--contacts", type=int, default=200, help="customers per number")
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-hooks", action="store_true", help="manager without inbox hooks")
    parser.add_argument("--ab-batch", type=int, default=500)
    parser.add_argument("--ab-rounds", type=int, default=10)
    args, _ = parser.parse_known_args()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
