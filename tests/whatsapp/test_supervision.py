"""Session hosts crash alone; boot restores keep to the configured rate."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlmodel import select

from tests.whatsapp.conftest import Recorder
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
from whatsapp_saas.db import session_scope
from whatsapp_saas.whatsapp.events import NumberStateChanged
from whatsapp_saas.whatsapp.manager.node import REASON_HOST_CRASHED, ManagerNode
from whatsapp_saas.whatsapp.manager.pacing import RateLimiter, backoff_delay, max_rate_observed
from whatsapp_saas.whatsapp.models import SessionSnapshot
from whatsapp_saas.whatsapp.states import REASON_RESTORING

Nodes = Callable[..., Awaitable[ManagerNode]]


def test_backoff_is_capped_and_jittered() -> None:
    delays = [backoff_delay(attempt, base=1.0, cap=30.0) for attempt in range(12)]
    assert 0.5 <= delays[0] <= 1.0
    assert all(15.0 <= d <= 30.0 for d in delays[6:]), "capped at 30 s, never below half"
    spread = {round(backoff_delay(3, 1.0, 30.0), 3) for _ in range(20)}
    assert len(spread) > 10, "jitter spreads reconnects of numbers dropped together"


async def test_rate_limiter_spaces_acquisitions_evenly() -> None:
    limiter = RateLimiter(rate=40)
    started = time.monotonic()
    await asyncio.gather(*(limiter.acquire() for _ in range(41)))
    assert time.monotonic() - started >= 0.95
    assert max_rate_observed(list(limiter.history)) <= 41


async def _link_many(sim_url: str, tenant_id: int, count: int) -> list[int]:
    ids = [add_number(tenant_id, f"Number {i}") for i in range(count)]
    for number_id in ids:
        connect(tenant_id, number_id)
    await asyncio.gather(*(link(sim_url, n, random_phone()) for n in ids))
    for number_id in ids:
        await wait_state(number_id, "connected", timeout=20)
    await wait_until(lambda: all(snapshot_blob(n) for n in ids), 10, "snapshots")
    return ids


async def test_host_crash_restarts_only_its_sessions(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, recorder: Recorder
) -> None:
    node = await nodes(sessions_per_host=1)
    victim, bystander = await _link_many(sim_url, tenant_id, 2)
    victim_host = node.pool.host_of(str(victim))
    bystander_host = node.pool.host_of(str(bystander))
    assert victim_host and bystander_host and victim_host is not bystander_host
    bystander_events = len(recorder.of(NumberStateChanged, bystander))
    victim_pid = victim_host.pid
    assert victim_pid is not None

    os.kill(victim_pid, signal.SIGKILL)

    def recovered() -> bool:
        states = recorder.of(NumberStateChanged, victim)
        crashed = [i for i, e in enumerate(states) if e.reason == REASON_HOST_CRASHED]
        return (
            bool(crashed)
            and states[-1].state == "connected"
            and states[-1] is not states[crashed[0]]
        )

    await wait_until(recovered, 15, "the victim to come back")
    new_host = node.pool.host_of(str(victim))
    assert new_host is not None and new_host.pid != victim_pid and not pid_alive(victim_pid)
    assert node.pool.host_of(str(bystander)) is bystander_host and bystander_host.pid is not None
    assert pid_alive(bystander_host.pid)
    assert len(recorder.of(NumberStateChanged, bystander)) == bystander_events, "untouched"


@pytest.mark.slow
async def test_boot_restore_respects_the_start_rate(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, recorder: Recorder
) -> None:
    count, rate = 30, 10.0
    first = await nodes(sessions_per_host=15)
    ids = await _link_many(sim_url, tenant_id, count)
    await first.stop()
    booted = time.monotonic()

    second = await nodes(start_rate=rate, sessions_per_host=15)
    for number_id in ids:
        await wait_state(number_id, "connected", timeout=30)
    elapsed = time.monotonic() - booted

    assert elapsed >= (count - 1) / rate * 0.9, "starts were staggered"
    assert max_rate_observed(list(second.limiter.history)) <= rate + 1
    restores = [
        e.at.timestamp()
        for e in recorder.of(NumberStateChanged)
        if e.reason == REASON_RESTORING and e.at.timestamp() >= time.time() - elapsed - 1
    ]
    assert len(restores) == count
    assert max_rate_observed(restores) <= rate + 1, "as seen in the database too"


async def test_restart_on_the_same_node_uses_the_fresher_local_store(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    """After a host crash the local store (newer than any snapshot) is reused, not the DB blob."""
    node = await nodes()
    (number_id,) = await _link_many(sim_url, tenant_id, 1)
    with session_scope() as session:  # make the database copy useless
        row = session.exec(
            select(SessionSnapshot).where(SessionSnapshot.number_id == number_id)
        ).one()
        row.ciphertext = b"WSE1" + b"\0" * 60
        session.add(row)
    host = node.pool.host_of(str(number_id))
    assert host is not None and host.pid is not None

    os.kill(host.pid, signal.SIGKILL)

    await wait_until(
        lambda: number(number_id).state_reason == REASON_HOST_CRASHED, 10, "crash seen"
    )
    await wait_state(number_id, "connected")  # a restore from the database would have failed
