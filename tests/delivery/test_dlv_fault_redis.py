"""Fault test: Redis stops for 10 s while messages are being queued and sent, and comes back
empty (no persistence: streams, groups, leases, markers and rate windows are all gone).

Nothing may be lost, and sending must resume by itself. Runs against a redis-server of its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import current_graph
from tests.delivery.conftest import PrivateRedis
from tests.delivery.dlv_helpers import (
    bulk_queue,
    make_conversations,
    make_tenant,
    random_phone,
    rows,
)
from tests.delivery.dlv_live import (
    inboxes,
    link_numbers,
    manager_settings,
    phone_tally,
    wait_until,
)
from tests.delivery.dlv_procs import WORKER_CMD, Children, env_for, log_tail, status_counts
from whatsapp_saas.config import get_settings, reset_settings_cache
from whatsapp_saas.delivery.send.agent import SendAgents
from whatsapp_saas.delivery.worker import notifier
from whatsapp_saas.whatsapp.manager.node import ManagerNode

NUMBERS, CUSTOMERS = 10, 30
PRODUCE_FOR, EVERY, CHUNK = 20.0, 0.5, 30  # ~1,200 messages at 60/s
OUTAGE = 10.0


@pytest.fixture
def own_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    monkeypatch.setenv("REDIS_URL", server.url)
    reset_settings_cache()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def node(db: str, own_redis: PrivateRedis, sim_url: str) -> AsyncIterator[ManagerNode]:
    settings = manager_settings(lease_ttl=15.0)
    started = ManagerNode(settings, driver=("simulator", {"base_url": sim_url}))
    await started.start()
    yield started
    await started.stop()


@pytest.fixture
async def agents(node: ManagerNode) -> AsyncIterator[SendAgents]:
    """Send agents beside the node, as a process graph keeps them (``App.send_agents``)."""
    found = SendAgents(node.nodes, get_settings().redis_url)
    yield found
    await found.stop()


@pytest.mark.slow
async def test_redis_outage_loses_nothing_and_sending_resumes(
    node: ManagerNode, agents: SendAgents, own_redis: PrivateRedis, sim_url: str, tmp_path: Path
) -> None:
    tenant_id = make_tenant()
    linked = await link_numbers(sim_url, tenant_id, NUMBERS)
    agents.ensure()
    threads, phones = await _threads(tenant_id, linked)
    env = env_for(
        REDIS_URL=own_redis.url, DELIVERY_GOVERNOR_ENABLED="false", DELIVERY_SENDING_TIMEOUT="6",
        DELIVERY_RPC_TIMEOUT="3", DELIVERY_LOST_AFTER="3", DELIVERY_SWEEP_INTERVAL="0.5",
        DELIVERY_IDLE_TIMEOUT="8", DELIVERY_BACKOFF_BASE="0.5", DELIVERY_BACKOFF_CAP="3",
        DELIVERY_MAX_ATTEMPTS="40",
    )  # fmt: skip
    children = Children(tmp_path)
    stream = notifier.StreamNotifier(own_redis.url)
    detach_waker = notifier.attach(current_graph().bus, stream)
    ids: list[int] = []
    try:
        for _ in range(2):
            children.spawn(WORKER_CMD, env, "worker")
        producing = asyncio.ensure_future(_produce(tenant_id, threads, ids))
        await wait_until(lambda: status_counts(ids)["sent"] >= 100, 30, "sending under way")
        at_stop = status_counts(ids)
        own_redis.stop()
        stopped_at = time.monotonic()
        await asyncio.sleep(OUTAGE)
        at_restart = status_counts(ids)
        own_redis.start()
        await producing

        def done() -> bool:
            return status_counts(ids)["sent"] == len(ids)

        await wait_until(done, 90, "every message sent after the outage")
        recovered = time.monotonic() - stopped_at - OUTAGE
        received = await inboxes(sim_url, phones)
    except BaseException:
        print(log_tail(tmp_path))
        raise
    finally:
        detach_waker()
        await asyncio.to_thread(stream.close)
        children.stop_all()

    wa_ids, on_phones, duplicates = phone_tally(
        {str(m.wa_message_id) for m in rows(ids).values()}, received
    )
    print(
        f"\nRedis stopped {OUTAGE:.0f} s: {len(ids)} messages; {at_stop['sent']} sent before;"
        f" when it came back (empty)"
        f" {at_restart['sent']} sent, {at_restart['queued']} queued, {at_restart['sending']}"
        f" sending; all sent {recovered:.1f} s after the restart; duplicates on phones:"
        f" {duplicates}"
    )
    assert on_phones == wa_ids, "nothing lost, each on its phone once"


async def _threads(
    tenant_id: int, linked: list[tuple[int, str]]
) -> tuple[list[tuple[int, int]], list[str]]:
    threads: list[tuple[int, int]] = []
    phones: list[str] = []
    for number_id, _ in linked:
        customers = [random_phone() for _ in range(CUSTOMERS)]
        phones += customers
        made = await asyncio.to_thread(make_conversations, tenant_id, number_id, customers)
        threads += [(t, number_id) for t in made]
    return threads, phones


async def _produce(tenant_id: int, threads: list[tuple[int, int]], ids: list[int]) -> None:
    """Attendants keep replying through the outage (the database is up)."""
    deadline = time.monotonic() + PRODUCE_FOR
    turn = 0
    while time.monotonic() < deadline:
        chunk = [threads[(turn * CHUNK + i) % len(threads)] for i in range(CHUNK)]
        items = [(t, n, f"reply {turn}") for t, n in chunk]
        ids += await asyncio.to_thread(bulk_queue, tenant_id, items)
        turn += 1
        await asyncio.sleep(EVERY)
