"""kill -9 between the trigger and the send, production topology (PostgreSQL + Redis): the
simulated customer writes the keyword, the rule's reply reaches the simulated phone exactly
once, and the rule has one run for the message.

Three processes, launched as production launches them (docker-compose.yml): a connection
manager (``python -m whatsapp_saas.whatsapp.manager``: the session, ingest, the send agent),
the scheduler (``python -m whatsapp_saas.scheduling``: beside it the spine runner with the
automations subscriber, which the manager's commits wake over Redis) and a taskiq delivery
worker (claims the queued reply, sends it through the manager, records it). The fault hooks
(``auto_crash_faults``) are one extra import. Kill points:

- ``judged``: the scheduler judged the message and queued the reply inside the runner's
  transaction, and dies before it commits; restarted, the spine hands it the event again;
- ``committed``: the run row and the queued reply committed, and the scheduler dies before
  the outbox waker writes the wake-up (no worker is up yet); the worker started afterwards
  finds the reply by its sweep, and the restarted scheduler does not fire the rule again;
- ``sent``: the worker's send came back from the manager (the phone has the reply) and the
  worker dies before recording it; the restarted worker's sweep re-dispatches the ``sending``
  row, and the manager's "sent" marker answers without sending again.

The embedded (SQLite, one process) version is ``test_auto_crash.py``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.automations.test_auto_crash import REPLY, _add_rule, _customer_writes, _replies, _runs
from tests.conftest import _truncate_all, build_graph, point_app_at
from tests.delivery.conftest import PrivateRedis
from tests.delivery.dlv_helpers import make_tenant, random_phone
from tests.delivery.dlv_live import inboxes, link_numbers, wait_until
from tests.delivery.dlv_procs import MANAGER_CMD, WORKER_CMD, Children, env_for, kill_tree, log_tail
from whatsapp_saas.config import reset_settings_cache
from whatsapp_saas.db import session_scope

pytestmark = pytest.mark.slow

FAULTS = "tests.automations.auto_crash_faults"
SCHEDULER_CMD = [sys.executable, "-m", FAULTS]  # = python -m whatsapp_saas.scheduling + hooks
_TASKS = WORKER_CMD.index("whatsapp_saas.delivery.worker.tasks") + 1
# taskiq imports the hooks beside the tasks (its modules come before its options)
FAULTY_WORKER_CMD = [*WORKER_CMD[:_TASKS], FAULTS, *WORKER_CMD[_TASKS:]]


@pytest.fixture
def redis_mode(
    postgres_url: str, sim_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A clean PostgreSQL and a Redis of our own (the delivery stream must not reach other
    tests' workers); the test process's graph talks to the managers over it."""
    server = PrivateRedis(tmp_path)
    server.start()
    monkeypatch.setenv("REDIS_URL", server.url)
    point_app_at(postgres_url)
    _truncate_all(postgres_url)
    build_graph()
    try:
        yield server.url
    finally:
        server.stop()
        monkeypatch.delenv("REDIS_URL", raising=False)
        reset_settings_cache()


def _env(db_url: str, redis_url: str, sim_url: str) -> dict[str, str]:
    return env_for(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        SIMULATOR_URL=sim_url,
        WHATSAPP_DRIVER="simulator",
        RUN_MANAGER_IN_APP="false",
        SCHEDULER_IN_APP="false",
        SCHEDULER_LEASE_TTL="3",
        EVENTS_POLL_SECONDS="0.5",
        MANAGER_LEASE_TTL="5",
        MANAGER_RECONCILE_INTERVAL="0.3",
        MANAGER_SNAPSHOT_DEBOUNCE="0.3",
        MANAGER_BACKOFF_BASE="0.2",
        DELIVERY_GOVERNOR_ENABLED="false",
        DELIVERY_SENDING_TIMEOUT="4",
        DELIVERY_RPC_TIMEOUT="3",
        DELIVERY_LOST_AFTER="2",
        DELIVERY_SWEEP_INTERVAL="0.5",
        DELIVERY_IDLE_TIMEOUT="6",
    )


def _runs_per_message() -> list[int]:
    """automation_runs rows per (rule, message): one each, whatever the crashes."""
    query = "SELECT COUNT(*) FROM automation_runs GROUP BY rule_id, message_id"
    with session_scope() as session:
        return [int(n) for n in session.execute(sa.text(query)).scalars()]


async def _phone(sim_url: str, customer: str) -> tuple[int, int]:
    """(times the reply is on the phone, re-sends of an id the phone already had)."""
    box = (await inboxes(sim_url, [customer]))[customer]
    return [m["text"] for m in box["messages"]].count(REPLY), box["duplicates"]


def _kill(proc: subprocess.Popen[bytes]) -> None:
    kill_tree(proc.pid)  # the taskiq worker runs its worker in a child process
    proc.wait(10)


@pytest.mark.parametrize("kill_at", ["judged", "committed", "sent"])
async def test_kill_9_between_trigger_and_send_replies_exactly_once(
    redis_mode: str, postgres_url: str, sim_url: str, tmp_path: Path, kill_at: str
) -> None:
    started = time.monotonic()
    children = Children(tmp_path)
    env = _env(postgres_url, redis_mode, sim_url)
    marker = tmp_path / "stalled"
    faulty = env_for(**env, AUTO_CRASH_STALL=f"{kill_at}:{marker}")
    victim_env = {"judged": faulty, "committed": faulty}.get(kill_at, env)
    try:
        children.spawn(MANAGER_CMD, env, "manager")
        scheduler = children.spawn(SCHEDULER_CMD, victim_env, "scheduler")
        worker = None
        if kill_at != "committed":  # there: no worker until the scheduler is dead
            worker_cmd = FAULTY_WORKER_CMD if kill_at == "sent" else WORKER_CMD
            worker = children.spawn(worker_cmd, faulty if kill_at == "sent" else env, "worker")
        tenant_id = make_tenant()
        _add_rule(tenant_id)
        ((_number_id, business),) = await link_numbers(sim_url, tenant_id, 1)
        customer = random_phone()
        await _customer_writes(sim_url, customer, business)
        await wait_until(lambda: marker.exists() or None, 60, f"stalled at {kill_at}")

        _kill(worker if kill_at == "sent" and worker is not None else scheduler)
        at_kill = (_runs(), _replies(), (await _phone(sim_url, customer))[0])
        expected = {"judged": (0, 0, 0), "committed": (1, 1, 0), "sent": (1, 1, 1)}[kill_at]
        assert at_kill == expected, "(runs, replies, on the phone) at the kill"

        if kill_at == "sent":
            children.spawn(WORKER_CMD, env, "worker-restarted")
        else:
            children.spawn(SCHEDULER_CMD, env, "scheduler-restarted")
        if kill_at == "committed":
            children.spawn(WORKER_CMD, env, "worker")
        await wait_until(lambda: _replies("sent") or None, 60, "reply recorded as sent")
        time.sleep(2.0)  # a repeat, were there one, would show up now
        on_phone, duplicates = await _phone(sim_url, customer)
    except BaseException:
        print(log_tail(tmp_path))
        raise
    finally:
        children.stop_all()
    print(f"\n{kill_at}: at the kill (runs, replies, on phone) = {at_kill};"
          f" {time.monotonic() - started:.1f} s")  # fmt: skip
    assert on_phone == 1, "the reply reached the phone exactly once"
    assert duplicates == 0, "and was not sent to it a second time"
    assert _runs() == 1 and _replies() == 1
    assert _runs_per_message() == [1], "one run per (rule, message)"
