"""One owner per number: Redis leases, Postgres advisory locks, and failover after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
import pytest

from tests.whatsapp.helpers import (
    add_number,
    connect,
    link,
    number,
    pid_alive,
    random_phone,
    snapshot_blob,
    wait_state,
    wait_until,
)
from whatsapp_saas.whatsapp.manager.node import ManagerNode
from whatsapp_saas.whatsapp.manager.number_leases import AdvisoryLeases, FileLeases, RedisLeases

Nodes = Callable[..., Awaitable[ManagerNode]]
LEASE_TTL = 2.0


async def test_redis_lease_has_one_owner_and_expires(use_redis: str) -> None:
    first, second = RedisLeases(use_redis, "a", 0.5), RedisLeases(use_redis, "b", 0.5)
    try:
        assert await first.acquire(1)
        assert await first.acquire(1), "re-acquiring your own lease renews it"
        assert not await second.acquire(1)
        assert await second.unheld([1, 2, 3]) == [2, 3]
        assert await first.renew([1, 2]) == {1}
        await second.release(1)  # not theirs: no effect
        assert not await second.acquire(1)
        time.sleep(0.6)  # first stops renewing (a dead node)
        assert await second.acquire(1)
        assert await first.renew([1]) == set()
    finally:
        await first.close()
        await second.close()


async def test_advisory_locks_die_with_their_connection(postgres_url: str) -> None:
    conninfo = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    first, second = AdvisoryLeases(conninfo), AdvisoryLeases(conninfo)
    try:
        assert await first.acquire(5) and await first.acquire(5)
        assert not await second.acquire(5)
        assert await second.unheld([4, 5, 6]) == [4, 6]
        await first.release(5)
        assert await second.acquire(5) and not await first.acquire(5)
        assert first._conn is not None
        second_pid = second._conn.info.backend_pid if second._conn else 0
        with psycopg.connect(conninfo, autocommit=True) as admin:  # the node "dies"
            admin.execute("SELECT pg_terminate_backend(%s)", (second_pid,))
        assert await second.renew([5]) == set(), "a lost connection holds nothing"
        assert await first.acquire(5)
    finally:
        await first.close()
        await second.close()


_HOLD_LOCK = (
    "import fcntl, os, sys, time\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX)\n"
    "print('held', flush=True)\n"
    "time.sleep(60)\n"
)


async def test_file_leases_are_exclusive_and_die_with_their_process(tmp_path: Path) -> None:
    first, second = FileLeases(tmp_path), FileLeases(tmp_path)
    assert await first.acquire(1) and await first.acquire(1)
    assert not await second.acquire(1)
    await first.release(1)
    assert await second.acquire(1)
    await second.close()

    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(tmp_path / "2.lock")], stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        assert not await first.acquire(2)
        holder.kill()  # kill -9: no cleanup code runs, the kernel drops the lock
        holder.wait()
        assert await first.acquire(2)
    finally:
        holder.kill()
        await first.close()


async def test_two_nodes_without_redis_share_by_advisory_lock(
    tenant_id: int, no_redis: None, nodes: Nodes, sim_url: str
) -> None:
    one, two = await nodes(), await nodes()
    number_id = add_number(tenant_id)
    connect(tenant_id, number_id)
    await link(sim_url, number_id, random_phone())
    row = await wait_state(number_id, "connected")
    owner, other = (one, two) if row.owner_node == one.node_id else (two, one)
    assert owner.owns(number_id) and not other.owns(number_id)
    await wait_until(lambda: snapshot_blob(number_id), 5, "snapshot")

    await owner.stop()

    def taken_over() -> bool:
        current = number(number_id)
        return current.owner_node == other.node_id and current.state == "connected"

    await wait_until(taken_over, 10, "the other node to take over")
    assert other.owns(number_id)


# --- kill -9 of a manager process -------------------------------------------------------------


def _manager_env(db_url: str, redis_url: str, sim_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        SIMULATOR_URL=sim_url,
        WHATSAPP_DRIVER="simulator",
        LOG_LEVEL="WARNING",
        MANAGER_LEASE_TTL=str(LEASE_TTL),
        MANAGER_RECONCILE_INTERVAL="0.3",
        MANAGER_SNAPSHOT_DEBOUNCE="0.3",
        MANAGER_BACKOFF_BASE="0.2",
        MANAGER_LOG_LEVEL="WARNING",
    )
    return env


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.slow
async def test_failover_after_kill_9_of_the_owner(
    db: str,
    tenant_id: int,
    use_redis: str,
    sim_url: str,
    managers: Callable[..., subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    env = _manager_env(db, use_redis, sim_url)
    procs = {p.pid: p for p in (managers(env), managers(env))}
    logs = sorted(tmp_path.glob("manager-*.log"))
    await wait_until(
        lambda: all(b"running" in log.read_bytes() for log in logs), 60, "both managers up"
    )
    number_id = add_number(tenant_id)
    connect(tenant_id, number_id)
    await link(sim_url, number_id, random_phone())
    row = await wait_state(number_id, "connected", timeout=20)
    await wait_until(lambda: snapshot_blob(number_id), 5, "snapshot")
    owner_pid = int((row.owner_node or "").split(":")[1])
    assert owner_pid in procs
    hosts = _children(owner_pid)
    assert hosts, "sessions run in child processes of the manager"

    os.kill(owner_pid, signal.SIGKILL)
    killed_at = time.monotonic()
    survivor = next(pid for pid in procs if pid != owner_pid)

    def taken_over() -> bool:
        current = number(number_id)
        return current.state == "connected" and f":{survivor}:" in (current.owner_node or "")

    await wait_until(taken_over, LEASE_TTL + 15, "the survivor to own the session")
    failover = time.monotonic() - killed_at
    # TTL, then a reconcile tick and the restore; generous for a loaded CI machine.
    assert failover < LEASE_TTL + 8, f"failover took {failover:.1f} s"
    await wait_until(lambda: not any(pid_alive(h) for h in hosts), 10, "orphan hosts to exit")
