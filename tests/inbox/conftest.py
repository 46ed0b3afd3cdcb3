"""Fixtures for the inbox tests: two tenants with numbers, people and departments, an event
recorder, and builders for inbound events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import current_graph, media_dir
from whatsapp_saas.accounts.models import Role, User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.events import ContactsMerged
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.events import InboxEvent
from whatsapp_saas.inbox.models import Department, DepartmentMember
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.whatsapp.models import WhatsAppNumber

T = TypeVar("T")


@dataclass
class TenantWorld:
    tenant_id: int
    number_id: int
    owner: CurrentUser
    agent_in: CurrentUser  # member of `department_id`
    agent_out: CurrentUser  # in no department
    department_id: int


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


def _tenant_world(name: str) -> TenantWorld:
    with session_scope() as session:
        tenant = Tenant(name=name)
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name=f"{name} main", phone="+5511900000000")
        department = Department(tenant_id=tenant.id, name="Sales")
        session.add_all([number, department])
        session.flush()
        slug = name.lower()
        owner = _user(session, tenant, f"owner@{slug}.io", Role.OWNER)
        agent_in = _user(session, tenant, f"in@{slug}.io", Role.AGENT)
        agent_out = _user(session, tenant, f"out@{slug}.io", Role.AGENT)
        assert number.id is not None and department.id is not None
        session.add(
            DepartmentMember(
                tenant_id=tenant.id, department_id=department.id, user_id=agent_in.user_id
            )
        )
        return TenantWorld(tenant.id, number.id, owner, agent_in, agent_out, department.id)


@pytest.fixture
def world(any_db: str) -> World:
    return World(_tenant_world("Acme"), _tenant_world("Beta"))


@pytest.fixture
def pg_world(db: str) -> World:
    return World(_tenant_world("Acme"), _tenant_world("Beta"))


@pytest.fixture(autouse=True)
def _clean_inbox_globals(tmp_path: Path) -> Iterator[None]:
    """The media store follows MEDIA_DIR: point it at the test's folder."""
    with media_dir(tmp_path / "media"):
        yield


class Recorder:
    """Inbox and contact events heard on the bus (after commit)."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self._lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: type[T]) -> list[T]:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]

    def clear(self) -> None:
        with self._lock:
            self.events.clear()


@pytest.fixture
def recorder(any_db: str) -> Recorder:
    found = Recorder()
    current_graph().bus.subscribe(InboxEvent, found)
    current_graph().bus.subscribe(ContactsMerged, found)
    return found
