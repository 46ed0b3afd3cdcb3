"""The scheduler loop: on time while up, late but once after downtime, never twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sched_helpers import World, fast_scheduler, outbound

from whatsapp_saas.db import session_scope
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.scheduling.leader_lease import current_leader
from whatsapp_saas.scheduling.models import ScheduledMessage
from whatsapp_saas.scheduling.recurrence import utc_to_local
from whatsapp_saas.scheduling.schedules import create_schedule

ROOT = Path(__file__).resolve().parents[2]


def schedule_many(world: World, due: list[datetime]) -> list[int]:
    with session_scope() as session:
        scope = world.scope(session)
        ids: list[int] = []
        for i, at in enumerate(due):
            row = create_schedule(
                scope,
                actor=world.owner,
                number_id=world.number_id,
                contact_id=world.contact_ids[i % len(world.contact_ids)],
                when_local=utc_to_local(at, world.timezone),
                text=f"msg {i}",
            )
            assert row.id is not None
            ids.append(row.id)
        return ids


def rows(ids: list[int]) -> list[ScheduledMessage]:
    with session_scope() as session:
        found = [session.get(ScheduledMessage, i) for i in ids]
        return [r for r in found if r is not None]


async def wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(predicate):
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_due_message_is_queued_within_5_seconds(world: World) -> None:
    due = datetime.now(UTC) + timedelta(seconds=2)
    (sid,) = schedule_many(world, [due])
    scheduler = fast_scheduler(interval=0.5)
    task = asyncio.create_task(scheduler.run())
    try:
        assert await wait_for(lambda: len(outbound()) == 1, timeout=10)
    finally:
        scheduler.stop()
        await task
    (message,) = outbound()
    lateness = (as_utc(message.created_at) - due).total_seconds()
    assert 0 <= lateness < 5, lateness
    assert rows([sid])[0].status == "sent"


async def test_two_schedulers_without_a_lease_never_duplicate(world: World) -> None:
    now = datetime.now(UTC)
    ids = schedule_many(world, [now + timedelta(milliseconds=20 * i) for i in range(150)])
    first = fast_scheduler(use_lease=False, interval=0.05, batch=7)
    second = fast_scheduler(use_lease=False, interval=0.05, batch=7)
    tasks = [asyncio.create_task(s.run()) for s in (first, second)]
    try:
        assert await wait_for(lambda: len(outbound()) >= 150, timeout=60)
        await asyncio.sleep(1)  # give a duplicate every chance to appear
    finally:
        first.stop()
        second.stop()
        await asyncio.gather(*tasks)
    messages = outbound()
    assert len(messages) == 150
    assert sorted(m.body or "" for m in messages) == sorted(f"msg {i}" for i in range(150))
    assert {r.message_id for r in rows(ids)} == {m.id for m in messages}


async def test_one_leader_and_a_standby_that_takes_over(world: World) -> None:
    leader = fast_scheduler(lease_ttl=1.0, node_id="node-a")
    standby = fast_scheduler(lease_ttl=1.0, node_id="node-b")
    assert await asyncio.to_thread(leader.run_once) is not None
    assert await asyncio.to_thread(standby.run_once) is None  # node-a holds the lease
    await asyncio.sleep(1.2)  # node-a dies silently: its lease runs out
    assert await asyncio.to_thread(standby.run_once) is not None
    with session_scope() as session:
        assert current_leader(session, now=datetime.now(UTC)) == "node-b"


def test_a_scheduler_built_before_a_fork_leads_under_each_process_own_name() -> None:
    """The web app builds its graph at import and granian forks the workers afterwards: each
    worker's scheduler must take the lease under its own name, or every worker would lead."""
    built = fast_scheduler()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # the forked worker: report its name and leave at once
        os.write(write_end, built.holder.encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as pipe:
        child_holder = pipe.read()
    assert f":{child}:" in child_holder
    assert f":{os.getpid()}:" in built.holder


# --- fault test: the scheduler process is down across the due time -------------------------


def leader() -> str | None:
    with session_scope() as session:
        return current_leader(session, now=datetime.now(UTC))


def start_scheduler_process(database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SCHEDULER_INTERVAL": "0.2",
        "SCHEDULER_LATE_AFTER": "2",
        "SCHEDULER_LEASE_TTL": "2",
        "LOG_LEVEL": "INFO",
    }
    env.pop("REDIS_URL", None)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "whatsapp_saas.scheduling"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.mark.slow
async def test_scheduler_killed_across_the_due_time_sends_once_late_on_return(
    world: World, db: str, tmp_path: Path
) -> None:
    log = tmp_path / "scheduler.log"
    process = start_scheduler_process(db, log)
    try:
        # Up and leading: a schedule goes out.
        assert await wait_for(lambda: leader() is not None, timeout=30), log.read_text()
        now = datetime.now(UTC)
        (early,) = schedule_many(world, [now + timedelta(seconds=1)])
        done = ("sent", "late")
        assert await wait_for(lambda: rows([early])[0].status in done, timeout=20), log.read_text()
        process.send_signal(signal.SIGKILL)  # no clean shutdown: the lease is left behind
        process.wait(timeout=10)
        # Every scheduler is down when this one falls due.
        (missed,) = schedule_many(world, [datetime.now(UTC) + timedelta(seconds=1)])
        await asyncio.sleep(4)
        assert rows([missed])[0].status == "pending" and len(outbound()) == 1
        process = start_scheduler_process(db, log)  # back: the stale lease expires first
        assert await wait_for(lambda: rows([missed])[0].status == "late", timeout=30), (
            log.read_text()
        )
        await asyncio.sleep(1.5)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, log.read_text()
    row = rows([missed])[0]
    assert row.sent_count == 1 and row.late_seconds is not None and row.late_seconds > 2
    assert sorted(m.id or 0 for m in outbound()) == sorted(
        [rows([early])[0].message_id or 0, row.message_id or 0]
    )  # one message each, nothing twice


def test_the_loop_waits_exactly_for_the_next_row_but_never_spins() -> None:
    import time as clock

    from whatsapp_saas.scheduling.scheduler import PassReport

    scheduler = fast_scheduler(interval=0.5)
    now = datetime.now(UTC)
    started = clock.monotonic()
    soon = PassReport(at=now, next_due=now + timedelta(milliseconds=100))
    assert 0 < scheduler._wait(soon, started) <= 0.1
    became_due = PassReport(at=now - timedelta(seconds=1), next_due=now - timedelta(seconds=0.5))
    assert scheduler._wait(became_due, started) == 0  # fell due during the pass: go again
    stuck = PassReport(at=now, next_due=now - timedelta(seconds=5))  # locked or failing
    assert scheduler._wait(stuck, started) > 0.4
    assert scheduler._wait(None, started) >= 0.5  # standing by
