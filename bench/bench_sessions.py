"""Connection-manager benchmarks: memory per session, boot restore pace, failover time.

    python bench/bench_sessions.py [--restore 200] [--rate 20] [--lease-ttl 15]

1. Memory: one session host running 1..50 linked simulator sessions; RSS and USS (private
   memory) of the host process, and the marginal cost per session.
2. Boot restore: N linked numbers, manager restarted; total time until all are connected
   again, and the highest start rate observed (any 1 s window) against the configured one.
3. Failover: two manager processes (Redis leases), ``kill -9`` of the owner; time until the
   survivor has every session connected again.

Needs PostgreSQL and Redis on 127.0.0.1 (``make services``); uses a throwaway database.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import signal
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

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Keys are namespaced by the throwaway database, so nothing needs flushing (leases expire).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def phone() -> str:
    return "+55119" + "".join(secrets.choice("0123456789") for _ in range(8))


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, USS) in kB: USS is what the process alone holds (private pages)."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup if line.endswith("kB")}
    return fields["Rss"], fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)


def table(title: str, header: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    print(f"\n{title}")
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=False)))
    for row in rows:
        print("  ".join(str(x).rjust(w) for x, w in zip(row, widths, strict=False)))


# --- 1. memory per session -------------------------------------------------------------------


async def bench_memory(sim_url: str, steps: list[int]) -> None:
    import httpx

    from whatsapp_saas.whatsapp import gateway as gw
    from whatsapp_saas.whatsapp.manager.host_pool import HostHandle

    qr_codes: dict[str, str] = {}
    host = HostHandle(1, "simulator", {"base_url": sim_url}, "WARNING", _collect_qr(qr_codes))
    host.start()
    await host.call("ping", timeout=60)
    workdir = Path(tempfile.mkdtemp(prefix="bench-mem-"))
    assert host.pid is not None
    baseline = memory_kb(host.pid)
    rows: list[list[Any]] = [[0, baseline[0] // 1024, baseline[1] // 1024, "-", "-"]]
    started = 0
    async with httpx.AsyncClient(base_url=sim_url, timeout=30) as client:
        for target in steps:
            new = [str(i) for i in range(started + 1, target + 1)]
            for sid in new:
                spec = gw.SessionSpec(sid, workdir / f"{sid}.store")
                await host.call("start", spec, timeout=30)
            await _wait(lambda new=new: all(s in qr_codes for s in new), 30)
            for sid in new:
                body = {"qr": qr_codes[sid], "phone": phone()}
                (await client.post("/sim/link", json=body)).raise_for_status()
            started = target
            await asyncio.sleep(1.0)  # let the links settle and the allocator level off
            rss, uss = memory_kb(host.pid)
            rows.append(
                [
                    target,
                    rss // 1024,
                    uss // 1024,
                    f"{(rss - baseline[0]) / target:.0f}",
                    f"{(uss - baseline[1]) / target:.0f}",
                ]
            )
    await host.close()
    header = ["sessions", "RSS MB", "USS MB", "RSS kB/session", "USS kB/session"]
    table("1. Memory of one session host (simulator driver, linked sessions)", header, rows)


async def bench_memory_neonize(steps: list[int]) -> None:
    """The same host with real neonize clients, offline (no WhatsApp servers reachable here)."""
    from whatsapp_saas.config import Settings
    from whatsapp_saas.whatsapp import gateway as gw
    from whatsapp_saas.whatsapp.manager.driver_choice import driver_choice
    from whatsapp_saas.whatsapp.manager.host_pool import HostHandle

    name, options = driver_choice(Settings(whatsapp_driver="neonize"))
    host = HostHandle(1, name, options, "ERROR", lambda event, settle: None)
    host.start()
    await host.call("ping", timeout=60)
    assert host.pid is not None
    workdir = Path(tempfile.mkdtemp(prefix="bench-neonize-"))
    rows: list[list[Any]] = []
    first: tuple[int, int] | None = None
    started = 0
    for target in steps:
        for sid in range(started + 1, target + 1):
            spec = gw.SessionSpec(str(sid), workdir / f"{sid}.sqlite", "Bench")
            await host.call("start", spec, timeout=60)
        started = target
        await asyncio.sleep(2.0)
        rss, uss = memory_kb(host.pid)
        first = first or (rss, uss)
        extra = max(1, target - 1)
        marginal = [f"{(rss - first[0]) / extra:.0f}", f"{(uss - first[1]) / extra:.0f}"]
        rows.append([target, rss // 1024, uss // 1024, *(marginal if target > 1 else ["-", "-"])])
    await host.close()
    header = ["sessions", "RSS MB", "USS MB", "RSS kB/extra", "USS kB/extra"]
    title = "1b. Memory of one session host (neonize clients, offline: connects fail and retry)"
    table(title, header, rows)


def _collect_qr(into: dict[str, str]) -> Any:
    from whatsapp_saas.whatsapp import gateway as gw

    def on_event(event: gw.GatewayEvent, settle: Any = None) -> None:
        if settle is not None:
            settle(True)  # nothing to store here
        if isinstance(event, gw.QrCodeIssued):
            into.setdefault(event.session_id, event.code)

    return on_event


async def _wait_threaded(check: Any, timeout: float) -> None:
    """Poll a blocking (database) check off the event loop the manager under test runs on."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step timed out")
        await asyncio.sleep(0.2)


async def _wait(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark step timed out")
        await asyncio.sleep(0.05)


# --- shared: a throwaway database with linked numbers ------------------------------------------


def make_database() -> tuple[str, str]:
    import psycopg

    name = f"wa_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = REDIS_URL
    from whatsapp_saas.config import reset_settings_cache
    from whatsapp_saas.db import reset_engine

    reset_settings_cache()
    reset_engine()
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return name, url


def drop_database(name: str) -> None:
    import psycopg

    from whatsapp_saas.db import reset_engine

    reset_engine()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def link_numbers(sim_url: str, count: int) -> list[int]:
    """Create ``count`` numbers and link them all through one fast manager node."""
    import httpx

    from whatsapp_saas.bootstrap import bootstrap
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.models import Tenant
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.whatsapp import service
    from whatsapp_saas.whatsapp.manager.records import load_views

    bootstrap()
    with session_scope() as session:
        tenant = Tenant(name="Bench")
        session.add(tenant)
        session.flush()
        scope = TenantScope(session, tenant.id or 0)
        ids = [service.add_number(scope, name=f"n{i}").id or 0 for i in range(count)]
        for number_id in ids:
            service.request_connect(scope, number_id=number_id)
    node = await start_node(start_rate=200)
    qr = await _qr_codes(ids)
    async with httpx.AsyncClient(base_url=sim_url, timeout=30) as client:
        for number_id in ids:
            body = {"qr": qr[number_id], "phone": phone()}
            (await client.post("/sim/link", json=body)).raise_for_status()
    await _wait_threaded(lambda: all_connected(ids, load_views), 120)
    await asyncio.sleep(1.0)  # the debounced snapshots
    await node.stop()
    return ids


async def _qr_codes(ids: list[int]) -> dict[int, str]:
    from sqlmodel import col, select

    from whatsapp_saas.db import session_scope
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    found: dict[int, str] = {}
    deadline = time.monotonic() + 120
    while len(found) < len(ids) and time.monotonic() < deadline:
        with session_scope() as session:
            rows = session.exec(select(WhatsAppNumber).where(col(WhatsAppNumber.id).in_(ids)))
            found.update({r.id or 0: r.qr_code for r in rows if r.qr_code})
        await asyncio.sleep(0.1)
    return found


def all_connected(ids: list[int], load_views: Any) -> bool:
    views = load_views(ids)
    return all(views[n].state.value == "connected" for n in ids)


async def start_node(**overrides: Any) -> Any:
    from whatsapp_saas.whatsapp.manager.node import ManagerNode
    from whatsapp_saas.whatsapp.manager.settings import ManagerSettings

    settings = ManagerSettings(**{"sessions_per_host": 50, "log_level": "WARNING", **overrides})
    node = ManagerNode(settings)
    await node.start()
    return node


# --- 2. boot restore ---------------------------------------------------------------------------


async def bench_restore(ids: list[int], rate: float) -> None:
    from whatsapp_saas.whatsapp.manager.pacing import max_rate_observed

    booted, since = time.monotonic(), datetime.now(UTC)
    node = await start_node(start_rate=rate)
    await _wait_threaded(lambda: len(reconnected(ids, since)) == len(ids), 600)
    total = time.monotonic() - booted
    starts = sorted(t for t in node.limiter.history if t >= booted)
    await node.stop()
    observed = max_rate_observed(starts)
    rows = [
        [
            len(ids),
            f"{rate:g}/s",
            f"{total:.1f} s",
            f"{(len(ids) - 1) / rate:.1f} s",
            f"{starts[-1] - starts[0]:.1f} s",
            f"{observed}/s",
        ]
    ]
    header = [
        "sessions",
        "configured",
        "all connected",
        "ideal pacing",
        "starts spread over",
        "max observed (1 s)",
    ]
    table("2. Boot restore (manager restarted, saved sessions, no QR)", header, rows)


# --- 3. failover ---------------------------------------------------------------------------------


def spawn_manager(
    sim_url: str, lease_ttl: float, rate: float, log: Path
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        SIMULATOR_URL=sim_url,
        WHATSAPP_DRIVER="simulator",
        MANAGER_LEASE_TTL=str(lease_ttl),
        MANAGER_START_RATE=str(rate),
        MANAGER_SESSIONS_PER_HOST="50",
        MANAGER_LOG_LEVEL="WARNING",
    )
    out = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "whatsapp_saas.whatsapp.manager"],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def reconnected(ids: list[int], since: datetime) -> dict[int, str]:
    """Numbers connected again after ``since`` (a fresh Connected, not a stale row), by owner."""
    from sqlmodel import col, select

    from whatsapp_saas.db import session_scope
    from whatsapp_saas.models_base import as_utc
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as session:
        rows = session.exec(select(WhatsAppNumber).where(col(WhatsAppNumber.id).in_(ids))).all()
        return {
            r.id or 0: r.owner_node or ""
            for r in rows
            if r.state == "connected"
            and r.last_connected_at is not None
            and as_utc(r.last_connected_at) > since
        }


async def bench_failover(ids: list[int], sim_url: str, lease_ttl: float, rate: float) -> None:
    logs = Path(tempfile.mkdtemp(prefix="bench-managers-"))
    procs = [spawn_manager(sim_url, lease_ttl, rate, logs / f"m{i}.log") for i in range(2)]
    try:
        started = datetime.now(UTC)
        await _wait(lambda: len(reconnected(ids, started)) == len(ids), 300)
        by_pid: dict[int, list[int]] = {p.pid: [] for p in procs}
        for number_id, owner in reconnected(ids, started).items():
            by_pid[int(owner.split(":")[1])].append(number_id)
        victim = max(by_pid, key=lambda pid: len(by_pid[pid]))
        survivor = next(pid for pid in by_pid if pid != victim)
        moved = by_pid[victim]
        kill_time = datetime.now(UTC)
        os.kill(victim, signal.SIGKILL)
        killed = time.monotonic()
        first = None
        while True:
            done = [n for n, o in reconnected(moved, kill_time).items() if f":{survivor}:" in o]
            if done and first is None:
                first = time.monotonic() - killed
            if len(done) == len(moved):
                break
            if time.monotonic() - killed > lease_ttl + 300:
                raise TimeoutError("failover did not complete")
            await asyncio.sleep(0.05)
        total = time.monotonic() - killed
        rows = [[len(moved), f"{lease_ttl:g} s", f"{rate:g}/s", f"{first:.1f} s", f"{total:.1f} s"]]
        header = ["sessions moved", "lease TTL", "start rate", "first connected", "all connected"]
        table(
            "3. Failover after kill -9 of the owning manager (2 managers, Redis leases)",
            header,
            rows,
        )
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


# --- main -------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> None:
    from whatsapp_saas.simulator import start_in_background

    sim = start_in_background("127.0.0.1", 0)
    os.environ["SIMULATOR_URL"] = sim.url  # the nodes (and their hosts) use this simulator
    try:
        await bench_memory(sim.url, [1, 5, 10, 25, 50])
        if not args.no_neonize:
            await bench_memory_neonize([1, 5, 10, 25, 50])
        name, _ = make_database()
        try:
            ids = await link_numbers(sim.url, args.restore)
            await bench_restore(ids, args.rate)
            await bench_failover(ids, sim.url, args.lease_ttl, args.rate)
        finally:
            drop_database(name)
    finally:
        sim.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--restore", type=int, default=200, help="sessions to restore at boot")
    parser.add_argument("--rate", type=float, default=20.0, help="configured starts per second")
    parser.add_argument("--lease-ttl", type=float, default=15.0, help="lease TTL in seconds")
    parser.add_argument("--no-neonize", action="store_true", help="skip the neonize memory run")
    args, _ = parser.parse_known_args()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
