"""A company's preferences live with accounts: managers change them, agents cannot."""

from __future__ import annotations

import dataclasses

import pytest

from whatsapp_saas.accounts import preferences, service
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied
from whatsapp_saas.tenancy.scope import TenantScope

PASSWORD = "correct horse battery"


def _owner(company: str, email: str) -> service.CurrentUser:
    with session_scope() as s:
        service.signup(s, company_name=company, name="Owner", email=email, password=PASSWORD)
    with session_scope() as s:
        return service.sign_in(s, email=email, password=PASSWORD).user


def _receipts(tenant_id: int) -> bool:
    with session_scope() as s:
        return preferences.get_tenant(s, tenant_id=tenant_id).send_read_receipts


def test_read_receipts_are_a_managers_choice(any_db: str) -> None:
    owner = _owner("Acme", "owner@acme.io")
    other = _owner("Beta", "owner@beta.io")
    assert _receipts(owner.tenant_id) is False
    agent = dataclasses.replace(owner, role="agent")
    with pytest.raises(PermissionDenied), session_scope() as s:
        preferences.set_read_receipts(s, actor=agent, enabled=True)
    assert _receipts(owner.tenant_id) is False
    with session_scope() as s:
        preferences.set_read_receipts(s, actor=owner, enabled=True)
    assert (_receipts(owner.tenant_id), _receipts(other.tenant_id)) == (True, False)


def test_the_company_time_zone(any_db: str) -> None:
    owner = _owner("Acme", "owner@acme.io")
    with session_scope() as s:
        assert preferences.tenant_timezone(TenantScope(s, owner.tenant_id)) == "America/Sao_Paulo"
        assert preferences.tenant_timezone(TenantScope(s, 10_000)) == "UTC"
