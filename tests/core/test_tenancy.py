"""Tenant isolation, tested from the outside: tenant B gets "not found" for tenant A's ids."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlmodel import SQLModel

from whatsapp_saas.accounts import service
from whatsapp_saas.accounts.models import AuthSession, Invite, User
from whatsapp_saas.bootstrap import load_models
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.security.secrets import TenantSecret, set_secret
from whatsapp_saas.tenancy.models import TenantOwned
from whatsapp_saas.tenancy.scope import NotFound, TenantScope

PASSWORD = "correct horse battery"


def _tenant(company: str, email: str) -> service.CurrentUser:
    with session_scope() as s:
        service.signup(s, company_name=company, name="Owner", email=email, password=PASSWORD)
    with session_scope() as s:
        return service.sign_in(s, email=email, password=PASSWORD).user


def _rows_of(tenant: service.CurrentUser) -> dict[type, int]:
    """One row of every tenant-owned table, created for ``tenant``; returns their ids."""
    with session_scope() as s:
        scope = TenantScope(s, tenant.tenant_id)
        invite = service.invite_user(
            scope, actor=tenant, email=f"agent-{tenant.tenant_id}@x.io", name="A"
        )
        set_secret(
            scope,
            keyring=keyring_from_settings(),
            name="openai_api_key",
            value="sk-test-secret-value",
        )
        s.flush()
        secret = scope.first(TenantSecret)
        session_row = scope.first(AuthSession)
        assert secret and session_row
        return {
            User: tenant.user_id,
            Invite: invite.invite_id,
            TenantSecret: secret.id,  # type: ignore[dict-item]
            AuthSession: session_row.id,  # type: ignore[dict-item]
        }


def test_every_tenant_owned_table_is_covered() -> None:
    load_models()
    owned = {
        m.class_.__tablename__
        for m in SQLModel._sa_registry.mappers
        if issubclass(m.class_, TenantOwned)
    }
    assert {"users", "invites", "tenant_secrets", "auth_sessions"} <= owned


def test_tenant_b_gets_not_found_for_tenant_a_ids(any_db: str) -> None:
    a = _tenant("A Corp", "a@a.io")
    b = _tenant("B Corp", "b@b.io")
    ids = _rows_of(a)
    with session_scope() as s:
        scope_b = TenantScope(s, b.tenant_id)
        for model, row_id in ids.items():
            with pytest.raises(NotFound):
                scope_b.get(model, row_id)
            rows: Sequence[TenantOwned] = scope_b.all(model)
            assert all(r.tenant_id == b.tenant_id for r in rows)
        with pytest.raises(NotFound):
            service.set_user_active(scope_b, actor=b, user_id=a.user_id, active=False)
        with pytest.raises(NotFound):
            service.revoke_invite(scope_b, actor=b, invite_id=ids[Invite])
    with session_scope() as s:
        assert TenantScope(s, a.tenant_id).get(User, a.user_id).is_active


def test_scope_refuses_rows_claiming_another_tenant(any_db: str) -> None:
    a = _tenant("A Corp", "a@a.io")
    b = _tenant("B Corp", "b@b.io")
    with pytest.raises(NotFound), session_scope() as s:
        TenantScope(s, b.tenant_id).add(
            TenantSecret(tenant_id=a.tenant_id, name="x", ciphertext=b"x")
        )


def test_lists_only_show_own_users(any_db: str) -> None:
    a = _tenant("A Corp", "a@a.io")
    _tenant("B Corp", "b@b.io")
    with session_scope() as s:
        users = service.list_users(TenantScope(s, a.tenant_id))
    assert [u.email for u in users] == ["a@a.io"]


def test_unknown_invite_token_is_refused(any_db: str) -> None:
    with pytest.raises(UserError), session_scope() as s:
        service.accept_invite(s, token="nope", password=PASSWORD)
