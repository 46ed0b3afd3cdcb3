"""Fault test: kill -9 a taskiq delivery worker during 2,000 sends over 20 numbers.

Every message must end ``sent`` and be on its phone exactly once. Re-sends of the same id show
in the simulator's ``duplicates``; they must not exceed the sends in flight at the kill (and
the nodes' "sent" markers usually make them zero).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import current_graph
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
from tests.delivery.dlv_procs import (
    WORKER_CMD,
    Children,
    children_of,
    env_for,
    log_tail,
    status_counts,
)
from whatsapp_saas.config import get_settings
from whatsapp_saas.delivery.send.agent import SendAgents
from whatsapp_saas.delivery.worker import notifier
from whatsapp_saas.whatsapp.manager.node import ManagerNode

NUMBERS, CUSTOMERS, PER_THREAD = 20, 20, 5  # 20 * 20 * 5 = 2,000 messages
KILL_AFTER = 500


def worker_env(redis_url: str) -> dict[str, str]:
    return env_for(
        REDIS_URL=redis_url,
        DELIVERY_GOVERNOR_ENABLED="false",
        DELIVERY_SENDING_TIMEOUT="4",
        DELIVERY_RPC_TIMEOUT="2",
        DELIVERY_LOST_AFTER="3",
        DELIVERY_SWEEP_INTERVAL="0.5",
        DELIVERY_IDLE_TIMEOUT="6",
    )


@pytest.fixture
async def node(db: str, with_redis: str, sim_url: str) -> AsyncIterator[ManagerNode]:
    started = ManagerNode(manager_settings(), driver=("simulator", {"base_url": sim_url}))
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
async def test_kill_9_of_a_worker_loses_and_duplicates_nothing(
    node: ManagerNode, agents: SendAgents, with_redis: str, sim_url: str, tmp_path: Path
) -> None:
    tenant_id = make_tenant()
    linked = await link_numbers(sim_url, tenant_id, NUMBERS)
    agents.ensure()
    children = Children(tmp_path)
    stream = notifier.StreamNotifier(with_redis)
    detach_waker = notifier.attach(current_graph().bus, stream)
    try:
        # Everything queued (and its wake-up written) first: the kill lands mid-stream.
        phones, ids = await _queue_all(tenant_id, linked)
        workers = [children.spawn(WORKER_CMD, worker_env(with_redis), "worker") for _ in range(2)]
        await wait_until(lambda: status_counts(ids)["sent"] >= KILL_AFTER, 60, "sends under way")

        victims = children_of(workers[0].pid)  # the worker process under taskiq's manager
        assert victims, "taskiq runs the worker in a child process"
        for pid in victims:
            os.kill(pid, signal.SIGKILL)
        at_kill = status_counts(ids)
        in_flight = at_kill["sending"]

        await wait_until(lambda: status_counts(ids)["sent"] == len(ids), 90, "all sent")
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
        f"\nworker kill -9: {len(ids)} sends over {NUMBERS} numbers; at the kill {at_kill['sent']}"
        f" sent, {in_flight} in flight, {at_kill['queued']} queued; duplicates on phones:"
        f" {duplicates}"
    )  # fmt: skip
    assert on_phones == wa_ids, "each message on its phone exactly once"
    assert duplicates <= in_flight


async def _queue_all(tenant_id: int, linked: list[tuple[int, str]]) -> tuple[list[str], list[int]]:
    phones: list[str] = []
    threads: list[tuple[int, int]] = []
    for number_id, _ in linked:
        customers = [random_phone() for _ in range(CUSTOMERS)]
        phones += customers
        made = await asyncio.to_thread(make_conversations, tenant_id, number_id, customers)
        threads += [(t, number_id) for t in made]
    items = [(t, n, f"message {r}") for r in range(PER_THREAD) for t, n in threads]
    ids = await asyncio.to_thread(bulk_queue, tenant_id, items)
    return phones, ids
