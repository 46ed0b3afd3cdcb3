"""A number's life with one manager node: link, restart without QR, drop, unlink, QR timeout."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.conftest import current_graph
from tests.whatsapp.conftest import QR_FIRST_TTL, Recorder, fast_settings
from tests.whatsapp.helpers import (
    add_number,
    connect,
    connect_and_link,
    link,
    number,
    random_phone,
    sim_post,
    snapshot_blob,
    wait_state,
    wait_until,
)
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp import service
from whatsapp_saas.whatsapp import state_reasons as reasons
from whatsapp_saas.whatsapp.events import NumberStateChanged, QrCodeUpdated
from whatsapp_saas.whatsapp.manager.node import ManagerNode
from whatsapp_saas.whatsapp.states import REASON_QR_TIMEOUT

Nodes = Callable[..., Awaitable[ManagerNode]]


async def test_link_by_qr_goes_connected_and_snapshots(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, recorder: Recorder
) -> None:
    await nodes()
    phone = random_phone()
    number_id = add_number(tenant_id)
    connect(tenant_id, number_id)

    await wait_state(number_id, "waiting_qr")
    await link(sim_url, number_id, phone)
    row = await wait_state(number_id, "connected")

    assert (row.phone, row.push_name, row.qr_code) == (phone, "Acme Sales", None)
    assert row.last_connected_at is not None
    assert await wait_until(lambda: snapshot_blob(number_id), 5, "snapshot")
    assert recorder.of(QrCodeUpdated, number_id), "the UI heard of the QR code"
    states = recorder.states(number_id)
    assert states[0] == "connecting" and states[-1] == "connected" and "waiting_qr" in states
    last = recorder.of(NumberStateChanged, number_id)[-1]
    assert (last.phone, last.push_name) == (phone, "Acme Sales")


async def test_restart_restores_without_a_new_qr(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, recorder: Recorder
) -> None:
    first = await nodes()
    number_id = await connect_and_link(sim_url, tenant_id, random_phone())
    await first.stop()
    assert number(number_id).owner_node is None  # released cleanly
    qr_before = len(recorder.of(QrCodeUpdated, number_id))

    await nodes()
    await wait_until(lambda: recorder.states(number_id)[-1:] == ["connected"], 10, "connected")

    assert len(recorder.of(QrCodeUpdated, number_id)) == qr_before, "no new QR code"
    assert "reconnecting" in recorder.states(number_id)[-3:]


async def test_reconnects_after_the_network_drops(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, recorder: Recorder
) -> None:
    await nodes()
    phone = random_phone()
    number_id = await connect_and_link(sim_url, tenant_id, phone)
    seen = len(recorder.states(number_id))

    response = await sim_post(sim_url, f"/sim/phones/{phone}/drop")
    assert response.status_code == 200

    def reconnected() -> bool:
        after = recorder.states(number_id)[seen:]
        return "reconnecting" in after and after[-1] == "connected"

    await wait_until(reconnected, 15, "reconnecting, then connected")


async def test_unlink_from_phone_logs_out_with_reason(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    node = await nodes()
    phone = random_phone()
    number_id = await connect_and_link(sim_url, tenant_id, phone)

    response = await sim_post(sim_url, f"/sim/phones/{phone}/unlink")
    assert response.status_code == 200

    row = await wait_state(number_id, "logged_out")
    assert row.state_reason and "unlink" in row.state_reason
    assert row.desired_state == "stopped"
    await wait_until(lambda: snapshot_blob(number_id) is None, 5, "snapshot deleted")
    await wait_until(lambda: not node.owns(number_id), 5, "session released")
    assert not (node.node_dir / str(number_id)).exists(), "runtime files removed"


@pytest.mark.slow
async def test_qr_timeout_stops_with_reason(
    tenant_id: int, use_redis: str, nodes: Nodes, recorder: Recorder
) -> None:
    node = await nodes()
    number_id = add_number(tenant_id)
    connect(tenant_id, number_id)

    row = await wait_state(number_id, "disconnected", timeout=15)
    assert row.state_reason == REASON_QR_TIMEOUT
    assert row.desired_state == "stopped" and row.qr_code is None
    await wait_until(lambda: not node.owns(number_id), 5, "session released")
    assert len(recorder.of(QrCodeUpdated, number_id)) >= 2, "the QR code rotated"


async def test_rejects_events_for_other_sessions(
    nodes: Nodes, tenant_id: int, use_redis: str
) -> None:
    """Engine events for a number this node does not own are dropped, not written."""
    node = await nodes()
    number_id = add_number(tenant_id)
    node._on_event(gw.LoggedOut(str(number_id), reason="stale"))
    node._on_event(gw.LoggedOut("not-a-number", reason="junk"))
    assert number(number_id).state == "disconnected"


async def test_not_registered_after_a_restart_keeps_the_saved_session(
    tenant_id: int, use_redis: str
) -> None:
    """The network forgot the device (a simulator restarted without its state), though the
    phone never unlinked it: the number is failed with the reason, its snapshot is kept, and
    the tenant decides (Connect again, or Log out)."""
    from whatsapp_saas.simulator import start_in_background

    first = start_in_background("127.0.0.1", 0, qr_first_ttl=QR_FIRST_TTL)
    node = ManagerNode(
        fast_settings(), driver=("simulator", {"base_url": first.url}), nodes=current_graph().nodes
    )
    await node.start()
    try:
        number_id = await connect_and_link(first.url, tenant_id, random_phone())
    finally:
        await node.stop()
        await first.aclose()
    saved = snapshot_blob(number_id)
    assert saved is not None

    forgetful = start_in_background("127.0.0.1", 0, qr_first_ttl=QR_FIRST_TTL)
    node = ManagerNode(
        fast_settings(),
        driver=("simulator", {"base_url": forgetful.url}),
        nodes=current_graph().nodes,
    )
    await node.start()
    try:
        row = await wait_state(number_id, "failed")
        assert reasons.decode(row.state_reason).code == reasons.RESTORE_REFUSED  # type: ignore[union-attr]
        assert row.desired_state == "stopped"
        await wait_until(lambda: not node.owns(number_id), 5, "session released")
        assert snapshot_blob(number_id) == saved, "the saved session was kept"
    finally:
        await node.stop()
        await forgetful.aclose()


async def test_relinking_to_another_phone_waits_for_the_tenants_confirmation(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    """A number linked to one phone, logged out, then scanned by a different phone: nothing is
    accepted until the tenant confirms; confirming resumes the new link without a new scan."""
    node = await nodes()
    first, second = random_phone(), random_phone()
    number_id = await connect_and_link(sim_url, tenant_id, first)
    assert (await sim_post(sim_url, f"/sim/phones/{first}/unlink")).status_code == 200
    await wait_state(number_id, "logged_out")

    connect(tenant_id, number_id)
    await link(sim_url, number_id, second)
    row = await wait_state(number_id, "confirm_phone")
    assert reasons.decode(row.state_reason) == reasons.Reason(
        reasons.CONFIRM_PHONE, {"new": second, "old": first}
    )
    assert row.phone == first and row.desired_state == "stopped"
    await wait_until(lambda: not node.owns(number_id), 5, "the session stopped")
    assert snapshot_blob(number_id) is not None, "the new link is kept for the confirmation"

    with session_scope() as session:
        service.confirm_new_phone(TenantScope(session, tenant_id), number_id=number_id)
    row = await wait_state(number_id, "connected")
    assert row.phone == second and row.qr_code is None


async def test_a_phone_already_used_by_another_number_asks_first(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    await nodes()
    phone = random_phone()
    await connect_and_link(sim_url, tenant_id, phone, name="Vendas")
    other = add_number(tenant_id, "Suporte")
    connect(tenant_id, other)
    await link(sim_url, other, phone)
    row = await wait_state(other, "confirm_phone")
    assert reasons.decode(row.state_reason) == reasons.Reason(
        reasons.CONFIRM_PHONE, {"new": phone, "other": "Vendas"}
    )
    with session_scope() as session, pytest.raises(NotFound):
        service.confirm_new_phone(TenantScope(session, tenant_id + 999), number_id=other)
    with session_scope() as session, pytest.raises(UserError):
        service.confirm_new_phone(TenantScope(session, tenant_id), number_id=add_number(tenant_id))
