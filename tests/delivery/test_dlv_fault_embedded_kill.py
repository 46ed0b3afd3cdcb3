"""Fault test, embedded mode: kill -9 the whole app process (manager node, session hosts and
in-process delivery workers, on SQLite) during 2,000 sends over 20 numbers, then start it again.

Every message must end ``sent`` and be on its phone exactly once; re-sends after the restart
show as simulator ``duplicates`` and must not exceed the sends in flight at the kill.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _truncate_all, migrate, point_app_at
from tests.delivery.dlv_helpers import (
    bulk_queue,
    make_conversations,
    make_tenant,
    random_phone,
    rows,
)
from tests.delivery.dlv_live import inboxes, link_numbers, phone_tally, wait_until
from tests.delivery.dlv_procs import APP_CMD, Children, env_for, log_tail, status_counts
from whatsapp_saas.bootstrap import bootstrap

NUMBERS, CUSTOMERS, PER_THREAD = 20, 20, 5
KILL_AFTER = 500


def app_env(db_url: str, sim_url: str) -> dict[str, str]:
    return env_for(
        DATABASE_URL=db_url,
        REDIS_URL=None,
        SIMULATOR_URL=sim_url,
        WHATSAPP_DRIVER="simulator",
        MANAGER_LEASE_TTL="5",
        MANAGER_RECONCILE_INTERVAL="0.3",
        MANAGER_SNAPSHOT_DEBOUNCE="0.3",
        MANAGER_BACKOFF_BASE="0.2",
        MANAGER_START_RATE="50",
        MANAGER_SESSIONS_PER_HOST="25",
        MANAGER_LOG_LEVEL="WARNING",
        DELIVERY_GOVERNOR_ENABLED="false",
        DELIVERY_SENDING_TIMEOUT="4",
        DELIVERY_LOST_AFTER="1",
        DELIVERY_SWEEP_INTERVAL="0.3",
        DELIVERY_BACKOFF_BASE="0.3",
        DELIVERY_BACKOFF_CAP="2",
        DELIVERY_MAX_ATTEMPTS="30",
    )


@pytest.fixture
def embedded_db(tmp_path: Path, without_redis: None) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    point_app_at(url)
    _truncate_all(url)
    bootstrap()
    return url


@pytest.mark.slow
async def test_kill_9_of_the_embedded_app_loses_nothing(
    embedded_db: str, sim_url: str, tmp_path: Path
) -> None:
    children = Children(tmp_path)
    env = app_env(embedded_db, sim_url)
    app = children.spawn(APP_CMD, env, "app")
    try:
        tenant_id = make_tenant()
        linked = await link_numbers(sim_url, tenant_id, NUMBERS)
        phones, ids = await _queue_all(tenant_id, linked)
        await wait_until(lambda: status_counts(ids)["sent"] >= KILL_AFTER, 60, "sends under way")

        _kill_tree(app.pid)
        at_kill = status_counts(ids)
        in_flight = at_kill["sending"]
        app.wait(10)

        children.spawn(APP_CMD, env, "app-restarted")
        await wait_until(lambda: status_counts(ids)["sent"] == len(ids), 120, "all sent")
        received = await inboxes(sim_url, phones)
    except BaseException:
        print(log_tail(tmp_path))
        raise
    finally:
        children.stop_all()

    wa_ids, on_phones, duplicates = phone_tally(
        {str(m.wa_message_id) for m in rows(ids).values()}, received
    )
    print(
        f"\nembedded app kill -9: {len(ids)} sends over {NUMBERS} numbers; at the kill"
        f" {at_kill['sent']} sent, {in_flight} in flight, {at_kill['queued']} queued;"
        f" duplicates on phones after the restart: {duplicates}"
    )
    assert on_phones == wa_ids, "each message on its phone exactly once"
    assert duplicates <= in_flight


def _kill_tree(pid: int) -> None:
    """kill -9 the app and, like a machine losing power, its session hosts with it."""
    from tests.delivery.dlv_procs import children_of

    for child in children_of(pid):
        os.kill(child, signal.SIGKILL)
    os.kill(pid, signal.SIGKILL)


async def _queue_all(tenant_id: int, linked: list[tuple[int, str]]) -> tuple[list[str], list[int]]:
    phones: list[str] = []
    threads: list[tuple[int, int]] = []
    for number_id, _ in linked:
        customers = [random_phone() for _ in range(CUSTOMERS)]
        phones += customers
        made = await asyncio.to_thread(make_conversations, tenant_id, number_id, customers)
        threads += [(t, number_id) for t in made]
    items: list[Any] = [(t, n, f"message {r}") for r in range(PER_THREAD) for t, n in threads]
    ids = await asyncio.to_thread(bulk_queue, tenant_id, items)
    return phones, ids
