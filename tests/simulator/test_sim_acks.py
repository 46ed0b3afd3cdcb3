"""The driver acks inbound events to the network only once the sink's outcome says stored."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest_asyncio
from sim_helpers import BUSINESS, CUSTOMER, Recorder

from whatsapp_saas.simulator import SimulatorClient, SimulatorHandle
from whatsapp_saas.whatsapp.drivers.simulator import SimulatorGateway
from whatsapp_saas.whatsapp.drivers.simulator_session import Backoff, Timeouts
from whatsapp_saas.whatsapp.gateway import (
    Connected,
    Disconnected,
    GatewayEvent,
    MessageReceived,
    ReceiptReceived,
    SessionSpec,
)


@dataclass
class HoldingSink(Recorder):
    """Records events; each inbound one gets an outcome the test resolves by hand."""

    outcomes: list[asyncio.Future[bool]] = field(default_factory=list)

    def __call__(self, event: GatewayEvent) -> asyncio.Future[bool] | None:  # type: ignore[override]
        super().__call__(event)
        if not isinstance(event, MessageReceived | ReceiptReceived):
            return None
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.outcomes.append(outcome)
        return outcome


@pytest_asyncio.fixture
async def fast_retry(sim: SimulatorHandle) -> AsyncIterator[SimulatorGateway]:
    gateway = SimulatorGateway(
        sim.url,
        backoff=Backoff(initial=0.05, cap=0.5),
        timeouts=Timeouts(5, 5),
        redelivery=Backoff(initial=0.1, cap=0.2),
    )
    yield gateway
    await gateway.close()


async def holding(gateway: SimulatorGateway, spec: SessionSpec, linked: Recorder) -> HoldingSink:
    """Restart the linked session (same device) with a sink that holds every outcome."""
    await gateway.stop(spec.session_id)
    sink = HoldingSink()
    await gateway.start(spec, sink)
    await sink.wait_for(Connected)
    return sink


async def pending(client: SimulatorClient) -> int:
    return int((await client.phone(BUSINESS))["pending"])


async def until_pending(client: SimulatorClient, expected: int, timeout: float = 3.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (value := await pending(client)) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"pending {value} != {expected}"
        await asyncio.sleep(0.02)


async def test_a_message_is_acked_only_once_stored(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    sink = await holding(gateway, spec, linked)
    await client.send_message(CUSTOMER, BUSINESS, "guarde isto")
    await sink.wait_for(MessageReceived)
    await asyncio.sleep(0.3)
    assert await pending(client) == 1, "acked before the app stored it"
    sink.outcomes[0].set_result(True)
    await until_pending(client, 0)


async def test_a_receipt_is_acked_only_once_stored(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    sink = await holding(gateway, spec, linked)
    await gateway.send_text(spec.session_id, CUSTOMER, "oi", message_id="3EB0ACK0001")
    await client.receipts(CUSTOMER, ["3EB0ACK0001"], "read")
    await sink.wait_for(ReceiptReceived)
    await asyncio.sleep(0.2)
    assert await pending(client) == 1
    sink.outcomes[0].set_result(True)
    await until_pending(client, 0)


async def test_an_event_not_stored_is_offered_again_on_the_live_session(
    fast_retry: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    sink = await holding(fast_retry, spec, linked)
    msg_id = await client.send_message(CUSTOMER, BUSINESS, "de novo")
    first = await sink.wait_for(MessageReceived)
    sink.outcomes[0].set_result(False)  # e.g. the commit failed
    again = await sink.wait_for(MessageReceived, timeout=2)
    assert first.message_id == again.message_id == msg_id
    assert await pending(client) == 1
    assert not sink.of(Disconnected), "offered again without a reconnect"
    sink.outcomes[1].set_result(True)
    await until_pending(client, 0)


async def test_a_failing_sink_is_retried_too(
    fast_retry: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    await fast_retry.stop(spec.session_id)
    calls: list[GatewayEvent] = []

    def flaky(event: GatewayEvent) -> None:
        if isinstance(event, MessageReceived):
            calls.append(event)
            if len(calls) == 1:
                raise RuntimeError("database down")

    await fast_retry.start(spec, flaky)
    await client.send_message(CUSTOMER, BUSINESS, "insista")
    await until_pending(client, 0)
    assert len(calls) == 2


async def test_unacked_events_stay_with_the_network_when_the_session_stops(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    sink = await holding(gateway, spec, linked)
    msg_id = await client.send_message(CUSTOMER, BUSINESS, "não me perca")
    await sink.wait_for(MessageReceived)
    await gateway.stop(spec.session_id)
    sink.outcomes[0].set_result(True)  # too late: that session is gone
    await asyncio.sleep(0.1)
    assert await pending(client) == 1
    again = Recorder()
    await gateway.start(spec, again)
    assert (await again.wait_for(MessageReceived)).message_id == msg_id
    await until_pending(client, 0)
