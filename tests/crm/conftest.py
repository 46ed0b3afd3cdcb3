"""Fixtures for the CRM tests: two tenants, each with a number, an owner and two agents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from whatsapp_saas.accounts.models import Role, User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import session_scope
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.whatsapp.models import WhatsAppNumber


@dataclass
class TenantWorld:
    tenant_id: int
    number_id: int
    owner: CurrentUser
    agent: CurrentUser
    other_agent: CurrentUser


@dataclass
class World:
    a: TenantWorld
    b: TenantWorld


def _user(session: Any, tenant: Tenant, email: str, role: Role) -> CurrentUser:
    assert tenant.id is not None
    user = User(
        tenant_id=tenant.id,
        email=email,
        name=email.split("@")[0],
        password_hash="x",
        role=role.value,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    return CurrentUser(user.id, tenant.id, tenant.name, user.name, email, role.value, "en", "UTC")


def tenant_world(name: str) -> TenantWorld:
    with session_scope() as session:
        tenant = Tenant(name=name)
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name=f"{name} main", phone="+5511900000000")
        session.add(number)
        session.flush()
        assert number.id is not None
        slug = name.lower()
        return TenantWorld(
            tenant.id,
            number.id,
            _user(session, tenant, f"owner@{slug}.io", Role.OWNER),
            _user(session, tenant, f"agent@{slug}.io", Role.AGENT),
            _user(session, tenant, f"other@{slug}.io", Role.AGENT),
        )


@pytest.fixture
def world(db: str) -> World:
    return World(tenant_world("Acme"), tenant_world("Beta"))


@pytest.fixture
def sqlite_world(any_db: str) -> World:
    return World(tenant_world("Acme"), tenant_world("Beta"))
