"""The WhatsApp page's service functions, with a live manager behind them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.conftest import current_graph
from tests.whatsapp.conftest import Recorder
from tests.whatsapp.helpers import (
    add_number,
    connect_and_link,
    number,
    random_phone,
    snapshot_blob,
    wait_state,
    wait_until,
)
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.whatsapp import service
from whatsapp_saas.whatsapp.events import QrCodeUpdated
from whatsapp_saas.whatsapp.manager.node import ManagerNode

Nodes = Callable[..., Awaitable[ManagerNode]]


def _scope_call(tenant_id: int, fn: Callable[..., object], **kwargs: object) -> object:
    with session_scope() as session:
        return fn(TenantScope(session, tenant_id), **kwargs)


async def _phone_linked(sim_url: str, phone: str) -> bool:
    async with httpx.AsyncClient(base_url=sim_url) as client:
        return bool((await client.get(f"/sim/phones/{phone}")).json()["linked"])


def test_add_rename_list_and_isolation(tenant_id: int) -> None:
    first = add_number(tenant_id, "  Sales   team ")
    second = add_number(tenant_id, "Support")
    _scope_call(tenant_id, service.rename_number, number_id=second, name="Help desk")
    with session_scope() as session:
        rows = service.list_numbers(TenantScope(session, tenant_id))
        assert [(r.id, r.name, r.state) for r in rows] == [
            (first, "Sales team", "disconnected"),
            (second, "Help desk", "disconnected"),
        ]
        other = Tenant(name="Other")
        session.add(other)
        session.flush()
        assert other.id is not None
        with pytest.raises(NotFound):
            service.get_number(TenantScope(session, other.id), number_id=first)
    with pytest.raises(UserError) as caught:
        add_number(tenant_id, "   ")
    assert caught.value.code == "error.name_required"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+55 (11) 99999-0000", "+5511999990000"),
        ("5511999990000", "+5511999990000"),
        ("(11) 99999-0000", "+5511999990000"),  # as the rest of the app reads a local number
    ],
)
def test_phone_numbers_are_normalised(typed: str, expected: str) -> None:
    assert service.normalise_phone(typed) == expected


@pytest.mark.parametrize("typed", ["", "12345", "+55 11 abc", "+999 1234"])
def test_bad_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        service.normalise_phone(typed)
    assert caught.value.code == "error.whatsapp_phone_invalid"


@pytest.mark.parametrize("transport", ["in_process", "redis"])
async def test_pairing_code_links_without_a_qr_scan(
    tenant_id: int,
    nodes: Nodes,
    sim_url: str,
    transport: str,
    request: pytest.FixtureRequest,
) -> None:
    request.getfixturevalue("use_redis" if transport == "redis" else "no_redis")
    await nodes()
    phone = random_phone()
    number_id = add_number(tenant_id)

    with session_scope() as session:  # starts the session itself, then asks the owner
        code = await service.request_pairing_code(
            TenantScope(session, tenant_id),
            number_id=number_id,
            phone=phone,
            control=current_graph().control,
        )
    assert len(code) == 9 and code[4] == "-"
    assert number(number_id).pairing_code == code

    async with httpx.AsyncClient(base_url=sim_url) as client:
        response = await client.post("/sim/pair", json={"phone": phone, "code": code})
    assert response.status_code == 200, response.text
    row = await wait_state(number_id, "connected")
    assert row.phone == phone and row.pairing_code is None


async def test_disconnect_then_connect_resumes_without_qr(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, recorder: Recorder
) -> None:
    node = await nodes()
    number_id = await connect_and_link(sim_url, tenant_id, random_phone())

    _scope_call(tenant_id, service.disconnect, number_id=number_id)
    row = await wait_state(number_id, "disconnected")
    assert row.state_reason == "wa.reason.user_disconnect"
    await wait_until(lambda: not node.owns(number_id), 5, "session stopped")
    assert snapshot_blob(number_id) is not None, "disconnect keeps the saved session"

    qr_count = len(recorder.of(QrCodeUpdated, number_id))
    _scope_call(tenant_id, service.request_connect, number_id=number_id)
    await wait_state(number_id, "connected")
    assert len(recorder.of(QrCodeUpdated, number_id)) == qr_count


async def test_logout_unlinks_and_deletes_the_session_everywhere(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    node = await nodes()
    phone = random_phone()
    number_id = await connect_and_link(sim_url, tenant_id, phone)
    assert (node.node_dir / str(number_id)).exists()

    _scope_call(tenant_id, service.logout, number_id=number_id)
    row = number(number_id)
    assert (row.state, row.desired_state) == ("logged_out", "stopped")
    assert snapshot_blob(number_id) is None

    await wait_until(lambda: not node.owns(number_id), 5, "session released")
    assert not (node.node_dir / str(number_id)).exists()
    assert not await _phone_linked(sim_url, phone), "the device was unlinked on the phone"
    assert snapshot_blob(number_id) is None, "no snapshot came back after logout"
    assert number(number_id).state_reason == "wa.reason.user_logout"


async def test_delete_number_logs_out_first(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    node = await nodes()
    phone = random_phone()
    number_id = await connect_and_link(sim_url, tenant_id, phone)

    _scope_call(tenant_id, service.delete_number, number_id=number_id)

    await wait_until(lambda: not node.owns(number_id), 5, "session released")
    assert not await _phone_linked(sim_url, phone)
    with session_scope() as session, pytest.raises(NotFound):
        service.get_number(TenantScope(session, tenant_id), number_id=number_id)
