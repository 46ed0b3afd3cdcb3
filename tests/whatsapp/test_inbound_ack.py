"""At-least-once inbound: the simulator forgets a message only once it is in our database.

The path under test: simulator → driver (session host process) → manager → ingest pipeline →
commit → ack back through the host → driver → simulator.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlmodel import col, func, select

from tests.whatsapp.helpers import (
    add_number,
    connect,
    connect_and_link,
    link,
    random_phone,
    wait_state,
    wait_until,
)
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox import ingest_pipeline as pipeline_module
from whatsapp_saas.inbox.ingest import IngestResult, Persistable, ingest_batch
from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.whatsapp.manager.node import ManagerNode

Nodes = Callable[..., Awaitable[ManagerNode]]
LEASE_TTL = 2.0


# --- helpers ------------------------------------------------------------------------------------


async def pending(sim_url: str, business: str) -> int:
    async with httpx.AsyncClient(base_url=sim_url, timeout=10) as client:
        resp = await client.get(f"/sim/phones/{quote(business, safe='')}")
        return int(resp.json()["pending"])


async def wait_pending(sim_url: str, business: str, expected: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while (value := await pending(sim_url, business)) != expected:
        assert time.monotonic() < deadline, f"simulator holds {value} unacked, not {expected}"
        await asyncio.sleep(0.05)


def stored_ids(number_id: int) -> list[str]:
    with session_scope() as session:
        rows = session.exec(select(Message.wa_message_id).where(Message.number_id == number_id))
        return [r for r in rows if r is not None]


def stored_count(number_id: int, wa_ids: Sequence[str]) -> int:
    with session_scope() as session:
        query = select(func.count()).where(
            Message.number_id == number_id, col(Message.wa_message_id).in_(wa_ids)
        )
        return int(session.exec(query).one())


async def customer_writes(sim_url: str, business: str, text: str) -> str:
    async with httpx.AsyncClient(base_url=sim_url, timeout=10) as client:
        body = {"from": random_phone(), "to": business, "text": text}
        resp = await client.post("/sim/messages", json=body)
        resp.raise_for_status()
        return str(resp.json()["id"])


class FaultyCommit:
    """Stands in for ``ingest_batch`` in the pipeline: the first call is held or fails."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, events: Sequence[Persistable]) -> IngestResult:
        self.calls += 1
        if self.calls > 1:
            return ingest_batch(events)
        self.entered.set()
        if self.fail:
            return IngestResult(failed=list(events))  # e.g. a constraint broke: not stored
        self.release.wait(20)  # a slow commit: the transaction has not committed yet
        return ingest_batch(events)


@pytest.fixture
async def real_pipeline(ingest: IngestPipeline) -> IngestPipeline:
    """The graph's ingest pipeline: THE inbound sink of the in-process manager (``nodes``)."""
    return ingest


# --- in-process manager: the ack waits for the commit -------------------------------------------


async def test_the_ack_waits_for_the_commit(
    tenant_id: int,
    use_redis: str,
    nodes: Nodes,
    sim_url: str,
    real_pipeline: IngestPipeline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await nodes()
    business = random_phone()
    number_id = await connect_and_link(sim_url, tenant_id, business)
    held = FaultyCommit(fail=False)
    monkeypatch.setattr(pipeline_module, "ingest_batch", held)

    wa_id = await customer_writes(sim_url, business, "segura")
    await asyncio.to_thread(held.entered.wait, 10)
    await asyncio.sleep(0.5)  # time enough for an early ack to reach the simulator
    assert await pending(sim_url, business) == 1, "acknowledged before the commit"
    assert stored_count(number_id, [wa_id]) == 0

    held.release.set()
    await wait_pending(sim_url, business, 0)
    assert stored_count(number_id, [wa_id]) == 1


async def test_a_failed_commit_is_offered_again_on_the_live_session(
    tenant_id: int,
    use_redis: str,
    nodes: Nodes,
    sim_url: str,
    real_pipeline: IngestPipeline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await nodes()
    business = random_phone()
    number_id = await connect_and_link(sim_url, tenant_id, business)
    failing = FaultyCommit(fail=True)
    monkeypatch.setattr(pipeline_module, "ingest_batch", failing)

    wa_id = await customer_writes(sim_url, business, "tente de novo")
    await asyncio.to_thread(failing.entered.wait, 10)
    assert await pending(sim_url, business) == 1, "a message that was not stored was acked"
    # The driver offers it again after its backoff (0.5-1 s), without a reconnect.
    await wait_pending(sim_url, business, 0, timeout=15)
    assert failing.calls >= 2
    assert stored_count(number_id, [wa_id]) == 1
    assert (await wait_state(number_id, "connected")).state == "connected"


# --- kill -9 of the manager mid-stream ----------------------------------------------------------


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


class Stream:
    """A steady stream of customer messages to one business number (~400 msg/s)."""

    def __init__(self, sim_url: str, business: str) -> None:
        self.sim_url, self.business = sim_url, business
        self.accepted: list[str] = []
        self._stop = asyncio.Event()

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.sim_url, timeout=10) as client:
            while not self._stop.is_set():
                n = len(self.accepted)
                messages = [
                    {"from": f"+55219{(n + i) % 50:08d}", "to": self.business, "text": f"m{n + i}"}
                    for i in range(10)
                ]
                resp = await client.post("/sim/messages/batch", json={"messages": messages})
                resp.raise_for_status()
                self.accepted.extend(resp.json()["ids"])
                await asyncio.sleep(0.025)

    def stop(self) -> None:
        self._stop.set()


@pytest.mark.slow
async def test_kill_9_of_the_manager_mid_stream_loses_no_message(
    db: str,
    tenant_id: int,
    use_redis: str,
    sim_url: str,
    managers: Callable[[dict[str, str]], subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    env = _manager_env(db, use_redis, sim_url)
    first = managers(env)
    log = tmp_path / "manager-0.log"
    await wait_until(lambda: b"running" in log.read_bytes(), 60, "the manager to start")
    business = random_phone()
    number_id = add_number(tenant_id)
    connect(tenant_id, number_id)
    await link(sim_url, number_id, business)
    await wait_state(number_id, "connected", timeout=20)

    stream = Stream(sim_url, business)
    streaming = asyncio.get_running_loop().create_task(stream.run())
    await wait_until(lambda: len(stored_ids(number_id)) > 200, 20, "messages flowing")
    os.kill(first.pid, signal.SIGKILL)  # mid-stream: batches in flight, acks not yet sent
    first.wait()
    in_flight = len(stream.accepted) - len(stored_ids(number_id))  # typically 10-30
    managers(env)  # takes the number over once the dead one's lease expires
    await asyncio.sleep(1.5)
    stream.stop()
    await streaming

    accepted = stream.accepted
    await wait_until(
        lambda: stored_count(number_id, accepted) == len(accepted),
        LEASE_TTL + 30,
        f"all {len(accepted)} accepted messages stored ({in_flight} not stored at the kill)",
    )
    await wait_pending(sim_url, business, 0, timeout=15)
    stored = stored_ids(number_id)
    assert len(stored) == len(set(stored)) == len(accepted), "each message exactly once"
    assert set(stored) == set(accepted)
