"""Fixtures for the deal tests: two tenants (from the inbox tests' world), contacts with and
without conversations, and a recorder of deal events."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from tests.conftest import current_graph
from tests.inbox.conftest import TenantWorld, _tenant_world
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import pipelines
from whatsapp_saas.deals.events import DealCreated, DealStageChanged, DealUpdated, PipelineChanged
from whatsapp_saas.deals.models import Stage
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.tenancy.scope import TenantScope

T = TypeVar("T")


@dataclass
class Side:
    """One tenant: its people, a pipeline's stages, and contacts."""

    w: TenantWorld
    pipeline_id: int
    stages: list[int]  # Novo, Qualificado, Proposta, Ganho, Perdido
    open_contact: int  # unclaimed conversation: every member sees it
    hidden_contact: int  # conversation in the department: agent_out may not see it
    hidden_conversation: int
    open_conversation: int


@dataclass
class DealWorld:
    a: Side
    b: Side


def _contact(scope: TenantScope, name: str, phone: str) -> int:
    contact = scope.add(Contact(tenant_id=scope.tenant_id, name=name, phone=phone))
    scope.session.flush()
    assert contact.id is not None
    return contact.id


def _conversation(scope: TenantScope, w: TenantWorld, contact_id: int, dept: int | None) -> int:
    row = scope.add(
        Conversation(
            tenant_id=scope.tenant_id,
            number_id=w.number_id,
            contact_id=contact_id,
            department_id=dept,
            last_message_preview=f"hello from {contact_id}",
        )
    )
    scope.session.flush()
    assert row.id is not None
    return row.id


def _side(name: str) -> Side:
    w = _tenant_world(name)
    with session_scope() as s:
        scope = TenantScope(s, w.tenant_id)
        [pipeline] = pipelines.ensure_default_pipeline(scope, language="pt-BR")
        assert pipeline.id is not None
        stages = [int(st.id or 0) for st in pipelines.stages_of(scope, pipeline_id=pipeline.id)]
        open_contact = _contact(scope, "Maria", "+5511988880001")
        hidden_contact = _contact(scope, "Segredo", "+5511988880002")
        open_conversation = _conversation(scope, w, open_contact, None)
        hidden_conversation = _conversation(scope, w, hidden_contact, w.department_id)
    return Side(
        w, pipeline.id, stages, open_contact, hidden_contact, hidden_conversation, open_conversation
    )


@pytest.fixture
def deal_world(db: str) -> DealWorld:
    return DealWorld(_side("Acme"), _side("Beta"))


@pytest.fixture
def any_deal_world(any_db: str) -> DealWorld:
    """The same world on PostgreSQL and on SQLite."""
    return DealWorld(_side("Acme"), _side("Beta"))


class Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self._lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: type[T]) -> list[T]:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def deal_events(db: str) -> Recorder:
    found = Recorder()
    for kind in (DealCreated, DealUpdated, DealStageChanged, PipelineChanged):
        current_graph().bus.subscribe(kind, found)
    return found


def stage_names(tenant_id: int, pipeline_id: int) -> list[tuple[str, str]]:
    with session_scope() as s:
        rows = pipelines.stages_of(TenantScope(s, tenant_id), pipeline_id=pipeline_id)
        return [(r.name, r.outcome) for r in rows]


def stage(tenant_id: int, stage_id: int) -> Stage:
    with session_scope() as s:
        return TenantScope(s, tenant_id).get(Stage, stage_id)
