"""Linking a session: QR codes (rotation, timeout), pairing codes, stored credentials."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime

import pytest
from sim_helpers import BUSINESS, Recorder, link_session, make_gateway

from whatsapp_saas.simulator import (
    SimulatorClient,
    SimulatorError,
    SimulatorHandle,
    start_in_background,
)
from whatsapp_saas.whatsapp.drivers.simulator import SimulatorGateway
from whatsapp_saas.whatsapp.drivers.simulator_session import Backoff
from whatsapp_saas.whatsapp.gateway import (
    Connected,
    Disconnected,
    LoggedOut,
    NotLoggedIn,
    QrCodeIssued,
    QrTimedOut,
    SessionNotRunning,
    SessionSpec,
    StoreChanged,
)

QR_SHAPE = re.compile(r"^2@[^,]+,[A-Za-z0-9+/=]+,[A-Za-z0-9+/=]+,[A-Za-z0-9+/=]+$")


@pytest.mark.asyncio
async def test_qr_codes_rotate_then_time_out(spec: SessionSpec) -> None:
    handle = start_in_background(qr_first_ttl=0.3, qr_ttl=0.15, qr_max=3)
    gateway = make_gateway(handle.url)
    sink = Recorder()
    try:
        await gateway.start(spec, sink)
        first = await sink.wait_for(QrCodeIssued)
        assert first.expires_at > datetime.now(UTC)
        codes = [first] + [await sink.wait_for(QrCodeIssued) for _ in range(2)]
        assert len({c.code for c in codes}) == 3
        assert all(QR_SHAPE.match(c.code) for c in codes)
        assert gateway.is_running(spec.session_id)
        await sink.wait_for(QrTimedOut)
        assert not gateway.is_running(spec.session_id)
        async with SimulatorClient(handle.url) as client:
            with pytest.raises(SimulatorError) as err:
                await client.link(codes[0].code, BUSINESS)
            assert err.value.status == 404
            assert await client.sessions() == []
    finally:
        await gateway.close()
        handle.stop()


@pytest.mark.asyncio
async def test_link_by_qr_connects_and_writes_private_store(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec
) -> None:
    sink = Recorder()
    connected = await link_session(gateway, client, spec, sink)
    assert connected.phone == BUSINESS
    assert connected.jid == "5511999990000@s.whatsapp.net"
    assert connected.push_name == f"Business {BUSINESS}"
    kinds = [type(e) for e in sink.events]
    assert kinds.index(StoreChanged) < kinds.index(Connected)
    assert stat.S_IMODE(spec.store_path.stat().st_mode) == 0o600
    assert list(spec.store_path.parent.iterdir()) == [spec.store_path]  # no temp leftovers
    sessions = await client.sessions()
    assert [(s["session_id"], s["state"], s["phone"]) for s in sessions] == [
        ("s1", "connected", BUSINESS)
    ]


@pytest.mark.asyncio
async def test_unknown_qr_is_404(client: SimulatorClient) -> None:
    with pytest.raises(SimulatorError) as err:
        await client.link("2@nope,a,b,c", BUSINESS)
    assert err.value.status == 404


@pytest.mark.asyncio
async def test_restart_with_store_connects_without_qr(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    await gateway.stop(spec.session_id)
    assert not gateway.is_running(spec.session_id)
    again = Recorder()
    await gateway.start(spec, again)
    connected = await again.wait_for(Connected)
    assert connected.phone == BUSINESS
    assert again.of(QrCodeIssued) == []


@pytest.mark.asyncio
async def test_pairing_code_links_the_session(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec
) -> None:
    sink = Recorder()
    await gateway.start(spec, sink)
    await sink.wait_for(QrCodeIssued)
    code = await gateway.request_pairing_code(spec.session_id, BUSINESS)
    assert re.fullmatch(r"[1-9A-Z]{4}-[1-9A-Z]{4}", code)
    for phone, wrong in ((BUSINESS, "AAAA-AAAA"), ("+5511912345678", code)):
        with pytest.raises(SimulatorError) as err:
            await client.pair(phone, wrong)
        assert err.value.status == 404
    linked = await client.pair(BUSINESS, code, push_name="Loja da Ana")
    assert linked["session_id"] == spec.session_id
    connected = await sink.wait_for(Connected)
    assert connected.push_name == "Loja da Ana"
    assert spec.store_path.exists()


@pytest.mark.asyncio
async def test_sends_need_a_logged_in_session(gateway: SimulatorGateway, spec: SessionSpec) -> None:
    sink = Recorder()
    await gateway.start(spec, sink)
    await sink.wait_for(QrCodeIssued)
    with pytest.raises(NotLoggedIn):
        await gateway.send_text(spec.session_id, "+5511988887777", "hi", message_id="X1")


@pytest.mark.asyncio
async def test_linking_the_same_phone_again_replaces_the_old_device(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    other = SessionSpec(session_id="s2", store_path=spec.store_path.parent / "s2.json")
    second = Recorder()
    await link_session(gateway, client, other, second)
    logged_out = await linked.wait_for(LoggedOut)
    assert "replaced" in logged_out.reason
    assert not gateway.is_running(spec.session_id)
    assert gateway.is_running(other.session_id)


@pytest.mark.asyncio
async def test_unlink_from_phone_logs_out_for_good(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    await client.unlink(BUSINESS)
    logged_out = await linked.wait_for(LoggedOut)
    assert logged_out.reason == "unlinked from phone"
    assert not gateway.is_running(spec.session_id)
    with pytest.raises(NotLoggedIn):
        await gateway.send_text(spec.session_id, "+5511988887777", "hi", message_id="X2")
    again = Recorder()
    await gateway.start(spec, again)
    assert (await again.wait_for(LoggedOut)).reason == "unlinked from phone"
    assert not gateway.is_running(spec.session_id)
    assert again.of(QrCodeIssued) == []


@pytest.mark.asyncio
async def test_logout_revokes_the_device(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    await gateway.logout(spec.session_id)
    assert (await linked.wait_for(LoggedOut)).reason == "logged out by user"
    assert len(linked.of(LoggedOut)) == 1
    assert not gateway.is_running(spec.session_id)
    again = Recorder()
    await gateway.start(spec, again)
    await again.wait_for(LoggedOut)
    assert (await client.phone(BUSINESS))["linked"] is False


@pytest.mark.asyncio
async def test_same_device_twice_replaces_the_older_socket(
    sim: SimulatorHandle, gateway: SimulatorGateway, spec: SessionSpec, linked: Recorder
) -> None:
    """E.g. a failover where the old owner is still alive: the newest connection wins."""
    other_gateway = make_gateway(sim.url)
    newer = Recorder()
    try:
        await other_gateway.start(spec, newer)
        await newer.wait_for(Connected)
        replaced = await linked.wait_for(Disconnected)
        assert not replaced.will_retry and "replaced" in replaced.reason
        assert not gateway.is_running(spec.session_id)
        assert other_gateway.is_running(spec.session_id)
    finally:
        await other_gateway.close()


@pytest.mark.asyncio
async def test_logout_is_idempotent_and_works_after_a_qr_timeout(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    await client.unlink(BUSINESS)
    await linked.wait_for(LoggedOut)
    await gateway.logout(spec.session_id)  # already logged out: nothing to do
    assert len(linked.of(LoggedOut)) == 1
    with pytest.raises(SessionNotRunning):
        await gateway.logout("never-started")


@pytest.mark.asyncio
async def test_logout_while_disconnected_revokes_over_http(
    sim: SimulatorHandle, client: SimulatorClient, spec: SessionSpec
) -> None:
    slow = SimulatorGateway(sim.url, backoff=Backoff(initial=10, cap=10))  # stays offline
    sink = Recorder()
    try:
        await link_session(slow, client, spec, sink)
        await client.drop(BUSINESS)
        await sink.wait_for(Disconnected)
        await slow.logout(spec.session_id)
        assert (await sink.wait_for(LoggedOut)).reason == "logged out by user"
        assert not slow.is_running(spec.session_id)
        assert (await client.phone(BUSINESS))["linked"] is False
    finally:
        await slow.close()
