"""Graceful shutdown of a taskiq delivery worker: SIGTERM ends an idle worker promptly (no
Python 3.11 hang), and a busy one records its batches in flight before it goes."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import current_graph
from tests.delivery.dlv_helpers import bulk_queue, make_conversations, make_tenant, random_phone
from tests.delivery.dlv_live import link_numbers, manager_settings, wait_until
from tests.delivery.dlv_procs import WORKER_CMD, Children, env_for, log_tail, status_counts
from whatsapp_saas.config import get_settings
from whatsapp_saas.delivery.send.agent import SendAgents
from whatsapp_saas.delivery.worker import notifier
from whatsapp_saas.whatsapp.manager.node import ManagerNode


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


async def _exit_time(proc: object, timeout: float) -> float:
    started = time.monotonic()
    while proc.poll() is None:  # type: ignore[attr-defined]
        if time.monotonic() - started > timeout:
            raise AssertionError(f"worker still running {timeout} s after SIGTERM")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


@pytest.mark.slow
async def test_sigterm_is_graceful(
    node: ManagerNode, agents: SendAgents, with_redis: str, sim_url: str, tmp_path: Path
) -> None:
    tenant_id = make_tenant()
    ((number_id, _),) = await link_numbers(sim_url, tenant_id, 1)
    agents.ensure()
    threads = await asyncio.to_thread(
        make_conversations, tenant_id, number_id, [random_phone() for _ in range(100)]
    )
    env = env_for(REDIS_URL=with_redis, DELIVERY_GOVERNOR_ENABLED="false")
    children = Children(tmp_path)
    stream = notifier.StreamNotifier(with_redis)
    detach_waker = notifier.attach(current_graph().bus, stream)
    try:
        idle = children.spawn(WORKER_CMD, env, "idle-worker")
        await asyncio.sleep(5)
        idle.send_signal(signal.SIGTERM)
        idle_exit = await _exit_time(idle, 15)
        assert idle.returncode == 0

        ids = await asyncio.to_thread(
            bulk_queue, tenant_id, [(t, number_id, f"m{r}") for r in range(20) for t in threads]
        )
        busy = children.spawn(WORKER_CMD, env, "busy-worker")
        await wait_until(lambda: status_counts(ids)["sent"] >= 100, 30, "sending under way")
        busy.send_signal(signal.SIGTERM)
        busy_exit = await _exit_time(busy, 20)
        after = status_counts(ids)

        children.spawn(WORKER_CMD, env, "next-worker")
        await wait_until(lambda: status_counts(ids)["sent"] == len(ids), 60, "the rest sent")
    except BaseException:
        print(log_tail(tmp_path))
        raise
    finally:
        detach_waker()
        await asyncio.to_thread(stream.close)
        children.stop_all()

    print(
        f"\nSIGTERM: idle worker exited in {idle_exit:.1f} s, busy one in {busy_exit:.1f} s"
        f" leaving {after['sending']} in sending, {after['sent']} sent"
    )
    assert after["sending"] == 0, "batches in flight were recorded before exit"
