"""The Simulated phone plays only the tenant's own numbers; QR codes stay out of the tenant feed."""

from __future__ import annotations

import pytest

from tests.whatsapp.helpers import add_number, connect
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.whatsapp.view import tenant_numbers, tenant_qr_codes
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp import simulated_phone as own
from whatsapp_saas.whatsapp.manager import records


def _other_tenant() -> int:
    with session_scope() as session:
        tenant = Tenant(name="Rival")
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        return tenant.id


def _showing_qr(tenant_id: int, code: str) -> int:
    number_id = add_number(tenant_id)
    connect(tenant_id, number_id)
    expires = utcnow().replace(microsecond=0).replace(year=utcnow().year + 1)
    records.apply(number_id, gw.QrCodeIssued(str(number_id), code=code, expires_at=expires))
    return number_id


def test_a_qr_code_is_scanned_only_for_the_tenant_that_shows_it(tenant_id: int) -> None:
    number_id = _showing_qr(tenant_id, "2@ours,abc")
    rival = _other_tenant()
    with session_scope() as session:
        assert (
            own.number_showing_qr(TenantScope(session, tenant_id), qr=" 2@ours,abc ").id
            == number_id
        )
        with pytest.raises(UserError) as caught:
            own.number_showing_qr(TenantScope(session, rival), qr="2@ours,abc")
    assert caught.value.code == "error.sim_qr_not_yours"


def test_pairing_codes_and_customer_messages_stay_in_the_tenant(tenant_id: int) -> None:
    pairing = _showing_qr(tenant_id, "2@pairing,abc")
    records.set_pairing_code(pairing, "ABCD-EFGH")
    linked = add_number(tenant_id)
    connect(tenant_id, linked)
    records.apply(linked, gw.Connected(str(linked), "+5511999990000", "Loja", "j"))
    rival = _other_tenant()
    with session_scope() as session:
        scope = TenantScope(session, tenant_id)
        assert own.number_with_pairing_code(scope, code="abcdefgh").id == pairing
        assert own.linked_number(scope, phone="+5511999990000").id == linked
        theirs = TenantScope(session, rival)
        with pytest.raises(UserError):
            own.number_with_pairing_code(theirs, code="ABCD-EFGH")
        with pytest.raises(UserError) as caught:
            own.linked_number(theirs, phone="+5511999990000")
    assert caught.value.code == "error.sim_to_not_yours"


def test_a_phone_held_by_another_session_cannot_be_linked() -> None:
    sessions = [{"session_id": "7", "phone": "+5511999990000"}]
    own.check_phone_free({"7"}, sessions, "+5511999990000")
    own.check_phone_free({"8"}, sessions, "+5511988887777")
    with pytest.raises(UserError) as caught:
        own.check_phone_free({"8"}, sessions, "+5511999990000")
    assert caught.value.code == "error.sim_phone_taken"


def test_the_tenant_feed_carries_no_qr_code_the_managers_feed_does(tenant_id: int) -> None:
    number_id = _showing_qr(tenant_id, "2@secret-qr,xyz")
    with session_scope() as session:
        everyone = tenant_numbers(session, tenant_id)
        managers = tenant_qr_codes(session, tenant_id)
    assert "2@secret-qr" not in repr(everyone) and "svg" not in repr(everyone)
    assert [c["id"] for c in managers] == [str(number_id)]
    assert managers[0]["qr_text"] == "2@secret-qr,xyz" and managers[0]["qr_image"]


def test_phones_and_reasons_are_shown_for_people(tenant_id: int) -> None:
    number_id = add_number(tenant_id)
    connect(tenant_id, number_id)
    records.apply(number_id, gw.Connected(str(number_id), "+5511987654321", "Loja", "j"))
    records.apply(number_id, gw.Disconnected(str(number_id), "network down", True))
    with session_scope() as session:
        (row,) = tenant_numbers(session, tenant_id)
    assert row["phone"] == "+55 11 98765-4321"
    assert row["reason_key"] == "wa.reason.connection_lost"
    assert row["reason_detail"] == "network down"
