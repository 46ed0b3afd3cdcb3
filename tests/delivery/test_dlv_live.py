"""Sending for real: manager nodes on the simulator, routed by Redis or in-process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import build_graph
from tests.delivery.conftest import fast
from tests.delivery.dlv_helpers import make_conversations, make_tenant, queue, random_phone, rows
from tests.delivery.dlv_live import inboxes, link_numbers, manager_settings, wait_until
from whatsapp_saas.bootstrap import App
from whatsapp_saas.config import get_settings
from whatsapp_saas.delivery.common import reasons
from whatsapp_saas.delivery.common.jobs import SendJob
from whatsapp_saas.delivery.common.settings import reset_delivery_settings
from whatsapp_saas.delivery.send.agent import SendAgents
from whatsapp_saas.delivery.send.executor import SendExecutor
from whatsapp_saas.delivery.worker import notifier
from whatsapp_saas.delivery.worker.assembly import redis_runtime
from whatsapp_saas.whatsapp.manager.node import ManagerNode


def all_sent(ids: list[int]) -> bool:
    return {m.status for m in rows(ids).values()} == {"sent"}


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


async def test_redis_mode_routes_each_send_to_the_owning_node(
    node: ManagerNode, agents: SendAgents, with_redis: str, sim_url: str
) -> None:
    tenant_id = make_tenant()
    linked = await link_numbers(sim_url, tenant_id, 2)
    assert agents.ensure(), "an agent beside the node"
    customers = [random_phone() for _ in range(6)]
    ids: list[int] = []
    for index, (number_id, _) in enumerate(linked):
        threads = make_conversations(tenant_id, number_id, customers[index * 3 : index * 3 + 3])
        ids += queue(tenant_id, [(c, f"hello from {number_id}") for c in threads])
    runtime = redis_runtime(with_redis, fast(), dispatch=_no_dispatch)
    try:
        await asyncio.gather(*(runtime.pipeline.submit(i) for i in ids))
    finally:
        await runtime.stop()

    assert all_sent(ids)
    received = await inboxes(sim_url, customers)
    by_wa_id = {m.wa_message_id: m for m in rows(ids).values()}
    for phone, box in received.items():
        assert len(box["ids"]) == 1 and box["ids"][0] in by_wa_id, phone
    senders = {box["messages"][0]["from"] for box in received.values()}
    assert senders == {phone for _, phone in linked}


async def test_redis_mode_without_an_owner_retries_later(
    db: str, with_redis: str, sim_url: str
) -> None:
    tenant_id = make_tenant()
    from tests.delivery.dlv_helpers import make_number

    number_id = make_number(tenant_id)  # "connected" in the row, but no node runs it
    (thread,) = make_conversations(tenant_id, number_id, [random_phone()])
    (message_id,) = queue(tenant_id, [(thread, "anyone?")])
    runtime = redis_runtime(with_redis, fast(), dispatch=_no_dispatch)
    try:
        await runtime.pipeline.process([message_id])
    finally:
        await runtime.stop()
    row = rows([message_id])[message_id]
    assert row.status == "queued", "transient: retried with backoff"


async def test_an_executor_never_sends_for_a_number_its_node_does_not_own() -> None:
    class Stranger:
        node_id = "other"

        def owns(self, number_id: int) -> bool:
            return False

        async def send_text(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("must not send")

        async def send_media(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("must not send")

    job = SendJob(1, 1, 7, 1, "3EB0AA", "5511999990000@s.whatsapp.net", "text", text="x")
    (outcome,) = await SendExecutor(Stranger(), keeps_ids=True).run([job])
    assert not outcome.ok and outcome.transient and outcome.reason == reasons.NUMBER_OFFLINE


async def test_embedded_mode_on_sqlite(
    sqlite_db: str, without_redis: None, sim_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DELIVERY_GOVERNOR_ENABLED", "false")
    monkeypatch.setenv("DELIVERY_SWEEP_INTERVAL", "0.2")
    reset_delivery_settings()
    graph = embedded_graph()
    await graph.start()
    try:
        runtime = graph.delivery_runtime
        assert runtime is not None
        tenant_id = make_tenant()
        ((number_id, _business),) = await link_numbers(sim_url, tenant_id, 1)
        customers = [random_phone() for _ in range(3)]
        threads = make_conversations(tenant_id, number_id, customers)
        ids = queue(tenant_id, [(c, "hi") for c in threads] + [(threads[0], "and again")])
        ids += _queue_photo(tenant_id, threads[1])
        await wait_until(lambda: all_sent(ids), 20, "all sent")
    finally:
        await graph.stop()
    received = await inboxes(sim_url, customers)
    assert [len(received[p]["ids"]) for p in customers] == [2, 2, 1]
    photo = received[customers[1]]["messages"][1]
    assert photo["media"]["mimetype"] == "image/png" and photo["text"] == "a photo"
    first = received[customers[0]]["messages"]
    assert [m["text"] for m in first] == ["hi", "and again"], "in order"
    assert notifier is not None


async def test_logged_out_number_fails_with_a_reason(
    sqlite_db: str, without_redis: None, sim_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DELIVERY_GOVERNOR_ENABLED", "false")
    reset_delivery_settings()
    graph = embedded_graph()
    await graph.start()
    try:
        tenant_id = make_tenant()
        ((number_id, business),) = await link_numbers(sim_url, tenant_id, 1)
        import httpx

        async with httpx.AsyncClient(base_url=sim_url) as client:
            await client.post(f"/sim/phones/{business}/unlink")
        from tests.delivery.dlv_live import number_row

        await wait_until(lambda: number_row(number_id).state == "logged_out", 15, "logged out")
        (thread,) = make_conversations(tenant_id, number_id, [random_phone()])
        (message_id,) = queue(tenant_id, [(thread, "hello?")])
        await wait_until(lambda: rows([message_id])[message_id].status == "failed", 15, "failed")
    finally:
        await graph.stop()
    assert rows([message_id])[message_id].failure_reason == reasons.LOGGED_OUT


def embedded_graph() -> App:
    """The web app's embedded graph (manager + in-process delivery), without the scheduler."""
    return build_graph(manager_settings=manager_settings(), skip=("scheduler",))


def _queue_photo(tenant_id: int, thread: int) -> list[int]:
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.media import media_store
    from whatsapp_saas.inbox.models import Conversation, MessageType
    from whatsapp_saas.inbox.outbox import Draft, queue_message
    from whatsapp_saas.tenancy.scope import TenantScope

    key = media_store().put(tenant_id, b"\x89PNG fake", mimetype="image/png", filename="a.png")
    draft = Draft(
        type=MessageType.IMAGE,
        caption="a photo",
        media_kind="image",
        media_mimetype="image/png",
        media_filename="a.png",
        media_size=10,
        media_storage_key=key,
    )
    with session_scope() as session:
        scope = TenantScope(session, tenant_id)
        message = queue_message(scope, conversation=scope.get(Conversation, thread), draft=draft)
        assert message.id is not None
        return [message.id]


async def _no_dispatch(ids: list[int]) -> None:
    return None
