"""Traffic through a node: inbound hook, sends routed to the owning host, and self-healing."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

import httpx
import pytest
import redis

from tests.whatsapp.helpers import connect_and_link, number, random_phone, sim_post, wait_until
from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.events import InboundEvent, InboundMessageArrived, ReceiptArrived
from whatsapp_saas.whatsapp.manager.namespace import lease_key
from whatsapp_saas.whatsapp.manager.node import REASON_NOT_RUNNING, ManagerNode

Nodes = Callable[..., Awaitable[ManagerNode]]


class Heard(list[InboundEvent]):
    """What a node handed to its inbound sink (``nodes(sink=heard.sink)``)."""

    async def sink(self, event: InboundEvent) -> None:
        self.append(event)


@pytest.fixture
def inbound() -> Heard:
    return Heard()


async def test_inbound_messages_and_receipts_reach_the_one_hook(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, inbound: Heard
) -> None:
    node = await nodes(sink=inbound.sink)
    business, customer = random_phone(), random_phone()
    number_id = await connect_and_link(sim_url, tenant_id, business)

    image = base64.b64encode(b"\x89PNG fake image").decode()
    body = {
        "from": customer,
        "to": business,
        "text": "Olá!",
        "push_name": "Maria",
        "media": {"kind": "image", "mimetype": "image/png", "data_b64": image},
    }
    sent = (await sim_post(sim_url, "/sim/messages", body)).json()["id"]

    arrived = await wait_until(
        lambda: [e for e in inbound if isinstance(e, InboundMessageArrived)], 10, "the message"
    )
    event = arrived[0]
    assert (event.tenant_id, event.number_id) == (tenant_id, number_id)
    assert (event.message.message_id, event.message.text, event.message.push_name) == (
        sent,
        "Olá!",
        "Maria",
    )
    assert event.message.media is not None
    data = await node.download_media(number_id, event.message.media)
    assert data == b"\x89PNG fake image"

    await node.mark_read(number_id, event.message.chat, event.message.sender_jid, [sent])
    result = await node.send_text(number_id, customer, "Oi, Maria!", message_id="3EB0TEST0001")
    await sim_post(
        sim_url,
        "/sim/receipts",
        {"phone": customer, "message_ids": [result.message_id], "kind": "read"},
    )
    receipts = await wait_until(
        lambda: [e for e in inbound if isinstance(e, ReceiptArrived)], 10, "the receipt"
    )
    assert receipts[0].receipt.message_ids == (result.message_id,)
    assert receipts[0].receipt.kind is gw.ReceiptKind.READ

    async with httpx.AsyncClient(base_url=sim_url) as client:
        got = (await client.get(f"/sim/phones/{customer}/messages")).json()["messages"]
    assert [(m["id"], m["text"]) for m in got] == [("3EB0TEST0001", "Oi, Maria!")]


async def test_sends_for_numbers_this_node_does_not_run_are_refused(
    tenant_id: int, use_redis: str, nodes: Nodes
) -> None:
    node = await nodes()
    with pytest.raises(gw.SessionNotRunning):
        await node.send_text(999, "+5511999990000", "hi", message_id="3EB0X")


async def test_a_session_gone_behind_our_back_is_restarted(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    """The row says connected, the engine has no session: reconcile notices and reconnects."""
    node = await nodes()
    number_id = await connect_and_link(sim_url, tenant_id, random_phone())
    host = node.pool.host_of(str(number_id))
    assert host is not None

    await host.call("stop", str(number_id))  # no event reaches the manager

    await wait_until(lambda: number(number_id).state_reason == REASON_NOT_RUNNING, 10, "noticed")
    await wait_until(lambda: number(number_id).state == "connected", 10, "reconnected")


async def test_a_lost_lease_drops_the_session_at_once(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    node = await nodes(lease_ttl=1.5)
    number_id = await connect_and_link(sim_url, tenant_id, random_phone())
    host = node.pool.host_of(str(number_id))
    assert host is not None
    redis.Redis.from_url(use_redis).set(lease_key(number_id), "another-node")

    await wait_until(lambda: not node.owns(number_id), 5, "the session dropped")
    assert str(number_id) not in await host.call("running", [str(number_id)])
    assert not (node.node_dir / str(number_id)).exists()


async def test_the_inbox_gets_the_live_session_media_fetcher(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, ingest: IngestPipeline
) -> None:
    from tests.conftest import current_graph

    fetch_media = current_graph().nodes.fetch_media
    await nodes()
    assert ingest.downloader is not None and ingest.downloader.fetcher == fetch_media

    with pytest.raises(gw.SessionNotRunning):  # not run by this process: the inbox retries
        await fetch_media(12345, gw.MediaRef(gw.MediaKind.IMAGE, "image/png", "media_x"))
