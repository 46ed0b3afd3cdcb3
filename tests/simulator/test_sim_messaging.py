"""Messages both ways, media, receipts, presence and the at-least-once inbound queue."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sim_helpers import BUSINESS, CUSTOMER, Recorder

from whatsapp_saas.simulator import SimulatorClient, SimulatorError, media_payload
from whatsapp_saas.whatsapp.drivers.simulator import SimulatorGateway
from whatsapp_saas.whatsapp.gateway import (
    ChatPresenceChanged,
    Connected,
    GatewayEvent,
    InvalidRecipient,
    MediaKind,
    MessageReceived,
    OutboundMedia,
    ReceiptKind,
    ReceiptReceived,
    SessionNotRunning,
    SessionSpec,
)

CUSTOMER_JID = "5511988887777@s.whatsapp.net"


@pytest.mark.asyncio
async def test_inbound_text(client: SimulatorClient, linked: Recorder) -> None:
    msg_id = await client.send_message(
        CUSTOMER, BUSINESS, "Oi, tudo bem?", push_name="Maria", quoted_id="Q1"
    )
    event = await linked.wait_for(MessageReceived)
    assert event.message_id == msg_id
    assert (event.chat, event.sender_jid, event.sender_lid) == (CUSTOMER_JID, CUSTOMER_JID, None)
    assert (event.push_name, event.text, event.quoted_id) == ("Maria", "Oi, tudo bem?", "Q1")
    assert event.timestamp.tzinfo is not None
    assert not event.from_me and not event.is_group and event.media is None


@pytest.mark.asyncio
async def test_inbound_media_can_be_downloaded(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    data = b"\x89PNG fake image bytes"
    media = media_payload("image", data, "image/png", filename="foto.png")
    await client.send_message(CUSTOMER, BUSINESS, "olha", media=media)
    event = await linked.wait_for(MessageReceived)
    assert event.media is not None
    assert (event.media.kind, event.media.mimetype) == (MediaKind.IMAGE, "image/png")
    assert (event.media.filename, event.media.size) == ("foto.png", len(data))
    assert await gateway.download_media(spec.session_id, event.media) == data


@pytest.mark.asyncio
async def test_inbound_with_lid(client: SimulatorClient, linked: Recorder) -> None:
    await client.send_message(CUSTOMER, BUSINESS, "com lid", lid="123456789012345")
    both = await linked.wait_for(MessageReceived)
    assert (both.sender_jid, both.sender_lid) == (CUSTOMER_JID, "123456789012345@lid")
    await client.send_message(CUSTOMER, BUSINESS, "só lid", only_lid=True)
    only = await linked.wait_for(MessageReceived)
    assert only.sender_jid is None
    assert only.sender_lid == only.chat == "123456789012345@lid"


@pytest.mark.asyncio
async def test_message_to_unlinked_number_is_404(client: SimulatorClient) -> None:
    with pytest.raises(SimulatorError) as err:
        await client.send_message(CUSTOMER, "+5511912345678", "alguém?")
    assert err.value.status == 404


@pytest.mark.asyncio
async def test_offline_messages_are_queued_and_delivered_on_reconnect(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    await gateway.stop(spec.session_id)
    ids = [await client.send_message(CUSTOMER, BUSINESS, f"m{i}") for i in range(3)]
    assert (await client.phone(BUSINESS))["pending"] == 3
    again = Recorder()
    await gateway.start(spec, again)
    got = [await again.wait_for(MessageReceived) for _ in ids]
    assert [e.message_id for e in got] == ids
    await _until(lambda: _pending(client), 0)


@pytest.mark.asyncio
async def test_unacknowledged_messages_are_redelivered(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    failing = {"on": True}

    def flaky_sink(event: GatewayEvent) -> None:
        if failing["on"] and isinstance(event, MessageReceived):
            raise RuntimeError("database down")
        linked(event)

    await gateway.stop(spec.session_id)
    await gateway.start(spec, flaky_sink)
    await linked.wait_for(Connected)
    msg_id = await client.send_message(CUSTOMER, BUSINESS, "não perca")
    await _until(lambda: _pending(client), 1)
    failing["on"] = False
    await client.drop(BUSINESS)
    redelivered = await linked.wait_for(MessageReceived)
    assert redelivered.message_id == msg_id
    await _until(lambda: _pending(client), 0)


@pytest.mark.asyncio
async def test_outbound_text_and_duplicate_resend(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    result = await gateway.send_text(
        spec.session_id, CUSTOMER_JID, "Olá!", message_id="3EB0AAA", quoted_id="Q9"
    )
    assert result.message_id == "3EB0AAA"
    again = await gateway.send_text(spec.session_id, CUSTOMER, "Olá!", message_id="3EB0AAA")
    assert again.timestamp == result.timestamp
    inbox = await client.phone_messages(CUSTOMER)
    assert inbox["duplicates"] == 1
    [msg] = inbox["messages"]
    assert (msg["id"], msg["from"], msg["text"], msg["quoted_id"]) == (
        "3EB0AAA",
        BUSINESS,
        "Olá!",
        "Q9",
    )
    assert msg["media"] is None
    assert msg["timestamp"] == result.timestamp.isoformat()


@pytest.mark.asyncio
async def test_outbound_media(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    pdf = b"%PDF-1.7 fake"
    media = OutboundMedia(
        kind=MediaKind.DOCUMENT,
        data=pdf,
        mimetype="application/pdf",
        filename="a.pdf",
        caption="segue o boleto",
    )
    await gateway.send_media(spec.session_id, CUSTOMER, media, message_id="3EB0DOC")
    [msg] = (await client.phone_messages(CUSTOMER))["messages"]
    assert msg["text"] == "segue o boleto"
    assert msg["media"] == {
        "kind": "document",
        "mimetype": "application/pdf",
        "filename": "a.pdf",
        "size": len(pdf),
        "ptt": False,
        "seconds": None,
    }
    assert await client.media(msg["media_id"]) == pdf


@pytest.mark.asyncio
@pytest.mark.parametrize("to", ["not-a-number", "+123", "+15551234567", "999@lid", "x@g.us"])
async def test_invalid_recipient(
    gateway: SimulatorGateway, spec: SessionSpec, linked: Recorder, to: str
) -> None:
    with pytest.raises(InvalidRecipient):
        await gateway.send_text(spec.session_id, to, "hi", message_id="3EB0BAD")


@pytest.mark.asyncio
async def test_unknown_session_is_not_running(gateway: SimulatorGateway) -> None:
    with pytest.raises(SessionNotRunning):
        await gateway.send_text("nope", CUSTOMER, "hi", message_id="3EB0NOPE")
    assert not gateway.is_running("nope")


@pytest.mark.asyncio
async def test_customer_receipts_reach_the_business(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    await gateway.send_text(spec.session_id, CUSTOMER, "1", message_id="3EB0R1")
    await gateway.send_text(spec.session_id, CUSTOMER, "2", message_id="3EB0R2")
    await client.receipts(CUSTOMER, ["3EB0R1", "3EB0R2"], "delivered")
    delivered = await linked.wait_for(ReceiptReceived)
    assert (delivered.kind, delivered.chat) == (ReceiptKind.DELIVERED, CUSTOMER_JID)
    assert delivered.message_ids == ("3EB0R1", "3EB0R2")
    await client.receipts(CUSTOMER, ["3EB0R2"], "read")
    read = await linked.wait_for(ReceiptReceived)
    assert (read.kind, read.message_ids) == (ReceiptKind.READ, ("3EB0R2",))
    with pytest.raises(SimulatorError) as err:
        await client.receipts(CUSTOMER, ["never-sent"], "read")
    assert err.value.status == 404


@pytest.mark.asyncio
async def test_mark_read_and_typing_are_recorded(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    msg_id = await client.send_message(CUSTOMER, BUSINESS, "oi")
    await gateway.mark_read(spec.session_id, CUSTOMER_JID, CUSTOMER_JID, [msg_id])
    assert (await client.read_receipts(CUSTOMER))["message_ids"] == [msg_id]
    await gateway.set_typing(spec.session_id, CUSTOMER_JID, True)
    assert (await client.phone(CUSTOMER))["typing_from"] == {BUSINESS: True}


@pytest.mark.asyncio
async def test_customer_typing_reaches_the_business(
    client: SimulatorClient, linked: Recorder
) -> None:
    assert await client.typing(CUSTOMER, BUSINESS, True)
    event = await linked.wait_for(ChatPresenceChanged)
    assert (event.chat, event.typing, event.recording) == (CUSTOMER_JID, True, False)


@pytest.mark.asyncio
async def test_concurrent_sends_are_all_recorded(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    ids = [f"3EB0C{i:04d}" for i in range(300)]
    results = await asyncio.gather(
        *(gateway.send_text(spec.session_id, CUSTOMER, i, message_id=i) for i in ids)
    )
    assert [r.message_id for r in results] == ids
    inbox = await client.phone_messages(CUSTOMER)
    assert sorted(m["id"] for m in inbox["messages"]) == ids


async def _pending(client: SimulatorClient) -> int:
    return int((await client.phone(BUSINESS))["pending"])


async def _until(
    probe: Callable[[], Awaitable[object]], expected: object, timeout: float = 3.0
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (value := await probe()) != expected:
        assert loop.time() < deadline, f"still {value!r}, expected {expected!r}"
        await asyncio.sleep(0.02)


@pytest.mark.asyncio
async def test_replayed_customer_message_is_delivered_again_but_listed_once(
    client: SimulatorClient, linked: Recorder
) -> None:
    """The network may deliver twice; the app must dedupe (WhatsApp id is the identity)."""
    for _ in range(2):
        await client.send_message(CUSTOMER, BUSINESS, "de novo", message_id="3EB0REPLAY")
    first = await linked.wait_for(MessageReceived)
    second = await linked.wait_for(MessageReceived)
    assert first.message_id == second.message_id == "3EB0REPLAY"
    inbox = await client.phone_messages(BUSINESS)
    assert [(m["id"], m["from"]) for m in inbox["messages"]] == [("3EB0REPLAY", CUSTOMER)]
    assert inbox["duplicates"] == 1
