"""kill -9 the process running a durable subscriber while 5,000 inbound messages are ingested:
every message's event is handled exactly once in effect.

Embedded mode (SQLite): the killed process is the whole app, ingest and runner in one (its
runner hears its own bus); each restart re-sends from a batch before what is stored, as the
network redelivers what was never acknowledged. Redis mode (PostgreSQL): ingest runs in a
process of its own that publishes wake-ups on Redis, and only the runner's process is killed.
Slow (minutes on a shared machine: each restart imports the app).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import make_shop
from spine_helpers import rows

from tests.conftest import _truncate_all, point_app_at
from whatsapp_saas.db import session_scope

MESSAGES = 5_000
MIN_KILLS = 4
CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["embedded", "redis"])
def mode(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    url = request.getfixturevalue("sqlite_url" if request.param == "embedded" else "postgres_url")
    point_app_at(url)
    _truncate_all(url)
    from whatsapp_saas.bootstrap import bootstrap

    bootstrap()
    with session_scope() as session:
        session.execute(sa.text("DROP TABLE IF EXISTS spine_crash_effects"))
        session.execute(
            sa.text("CREATE TABLE spine_crash_effects (event_id BIGINT, message_id INT)")
        )
    yield request.param, url
    with session_scope() as session:
        session.execute(sa.text("DROP TABLE spine_crash_effects"))


class Children:
    def __init__(self, env: dict[str, str], calls: Path, logs: Path) -> None:
        self.env, self.calls, self.logs = env, calls, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"child-{len(self.started)}.log").open("wb")
        cmd = [sys.executable, str(CHILD), "--calls", str(self.calls), *args]
        proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)

    def tail(self) -> str:
        return "\n".join(p.read_text()[-2000:] for p in sorted(self.logs.glob("child-*.log")))


def count(sql: str) -> int:
    return int(rows(sql)[0][0])


def received() -> int:
    return count("SELECT COUNT(*) FROM events WHERE type = 'MessageReceived'")


def handled() -> int:
    return count("SELECT COUNT(*) FROM spine_crash_effects")


def progress(kind: str) -> tuple[int, ...]:
    # Redis mode: the runner's own work (ingest goes on in a process nobody kills).
    return (received(), handled()) if kind == "embedded" else (handled(),)


def wait_for(what: str, check: object, seconds: float, children: Children) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: gave up\n{children.tail()}")
        time.sleep(0.2)


@pytest.mark.slow
def test_kill_9_during_ingest_loses_and_repeats_no_effect(
    mode: tuple[str, str], redis_url: str, tmp_path: Path
) -> None:
    kind, url = mode
    shop = make_shop()
    env = dict(os.environ, DATABASE_URL=url, EVENTS_POLL_SECONDS="0.5", LOG_LEVEL="WARNING")
    env.pop("REDIS_URL", None)
    if kind == "redis":
        env["REDIS_URL"] = redis_url
    children = Children(env, tmp_path / "calls.db", tmp_path)
    ingest = ["--ingest", str(shop.tenant_id), str(shop.number_id), str(MESSAGES)]
    runner_args = ingest if kind == "embedded" else []
    rng, kills, at_kill = random.Random(10), 0, []
    try:
        if kind == "redis":
            children.spawn("--no-runner", *ingest)
        child = children.spawn(*runner_args)
        deadline = time.monotonic() + 400
        while kills < MIN_KILLS:
            # Kill only once this child has done something (starting takes seconds here).
            before = progress(kind)
            while progress(kind) == before and handled() < MESSAGES:
                if time.monotonic() > deadline:
                    pytest.fail(f"no progress after {kills} kills\n{children.tail()}")
                time.sleep(0.1)
            time.sleep(rng.uniform(0.1, 1.0))
            at_kill.append((received(), handled()))
            child.send_signal(signal.SIGKILL)
            child.wait(10)
            kills += 1
            child = children.spawn(*runner_args)
        wait_for("every event handled", lambda: handled() >= MESSAGES, 300, children)
        time.sleep(1.0)  # a repeat, if there were one, would show up now
    finally:
        children.stop_all()
    print(f"\n{kind}: {kills} kills at (events stored, events handled): {at_kill}")
    assert count("SELECT COUNT(*) FROM messages WHERE direction = 'in'") == MESSAGES
    events = {r.id for r in rows("SELECT id FROM events WHERE type = 'MessageReceived'")}
    effects = [r.event_id for r in rows("SELECT event_id FROM spine_crash_effects")]
    assert len(events) == MESSAGES
    assert len(effects) == len(set(effects)) == MESSAGES  # no effect repeats
    assert set(effects) == events  # none missing
    stored = count("SELECT COUNT(DISTINCT message_id) FROM spine_crash_effects")
    assert stored == MESSAGES
    with sqlite3.connect(tmp_path / "calls.db") as calls:
        ((total, distinct),) = calls.execute("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM calls")
    print(f"{kind}: {total} handler calls for {distinct} events ({total - distinct} repeated)")
    assert distinct == MESSAGES and total >= MESSAGES
