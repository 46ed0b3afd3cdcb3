"""Pipelines and stages: the default pipeline, CRUD, ordering, won/lost, and who may."""

from __future__ import annotations

import pytest

from tests.deals.conftest import DealWorld, stage_names
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import pipelines
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.events import PipelineChanged
from whatsapp_saas.deals.models import Deal, Pipeline
from whatsapp_saas.deals.validation import DealValues
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def test_first_visit_creates_one_translated_default_pipeline(deal_world: DealWorld) -> None:
    a = deal_world.a
    assert stage_names(a.w.tenant_id, a.pipeline_id) == [
        ("Novo", "open"),
        ("Qualificado", "open"),
        ("Proposta", "open"),
        ("Ganho", "won"),
        ("Perdido", "lost"),
    ]
    with session_scope() as s:
        again = pipelines.ensure_default_pipeline(TenantScope(s, a.w.tenant_id), language="en")
    assert [p.name for p in again] == ["Vendas"]


def test_english_default_pipeline(db: str) -> None:
    from tests.inbox.conftest import _tenant_world

    w = _tenant_world("Gamma")
    with session_scope() as s:
        [p] = pipelines.ensure_default_pipeline(TenantScope(s, w.tenant_id), language="en")
        names = [
            st.name
            for st in pipelines.stages_of(TenantScope(s, w.tenant_id), pipeline_id=p.id or 0)
        ]
    assert p.name == "Sales"
    assert names == ["New", "Qualified", "Proposal", "Won", "Lost"]


def test_manager_defines_stages_in_order(deal_world: DealWorld, deal_events) -> None:  # type: ignore[no-untyped-def]
    a = deal_world.a
    owner = a.w.owner
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        support = pipelines.create_pipeline(scope, actor=owner, name="  Pós-venda ", language="en")
        assert support.name == "Pós-venda" and support.id is not None
        added = pipelines.add_stage(
            scope, actor=owner, pipeline_id=support.id, name="Churned", outcome="lost"
        )
        first = pipelines.stages_of(scope, pipeline_id=support.id)[0]
        pipelines.update_stage(
            scope, actor=owner, stage_id=first.id or 0, name="Lead", outcome="open"
        )
        pipelines.move_stage(scope, actor=owner, stage_id=added.id or 0, offset=-1)
        pipelines.move_stage(
            scope, actor=owner, stage_id=first.id or 0, offset=-1
        )  # already first: stays
        pipelines.rename_pipeline(scope, actor=owner, pipeline_id=support.id, name="Support")
        support_id = support.id
    assert stage_names(a.w.tenant_id, support_id) == [
        ("Lead", "open"),
        ("Qualified", "open"),
        ("Proposal", "open"),
        ("Won", "won"),
        ("Churned", "lost"),
        ("Lost", "lost"),
    ]
    assert {e.pipeline_id for e in deal_events.of(PipelineChanged)} == {support_id}


def test_bad_names_and_outcomes_change_nothing(deal_world: DealWorld) -> None:
    a = deal_world.a
    cases = [
        (
            lambda scope: pipelines.create_pipeline(
                scope, actor=a.w.owner, name=" ", language="en"
            ),
            "deals.name_required",
        ),
        (
            lambda scope: pipelines.create_pipeline(
                scope, actor=a.w.owner, name="Vendas", language="en"
            ),
            "deals.name_taken",
        ),
        (
            lambda scope: pipelines.add_stage(
                scope, actor=a.w.owner, pipeline_id=a.pipeline_id, name="x" * 81, outcome="open"
            ),
            "deals.name_too_long",
        ),
        (
            lambda scope: pipelines.add_stage(
                scope, actor=a.w.owner, pipeline_id=a.pipeline_id, name="X", outcome="maybe"
            ),
            "deals.bad_outcome",
        ),
    ]
    for work, code in cases:
        with pytest.raises(UserError) as err, session_scope() as s:
            work(TenantScope(s, a.w.tenant_id))
        assert err.value.code == code
    assert len(stage_names(a.w.tenant_id, a.pipeline_id)) == 5


def test_stage_with_deals_and_last_pipeline_are_kept(deal_world: DealWorld) -> None:
    a = deal_world.a
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        values = DealValues("Venda", a.open_contact, a.stages[0])
        deals.create_deal(scope, actor=a.w.owner, values=values)
    for work, code in [
        (
            lambda scope: pipelines.delete_stage(scope, actor=a.w.owner, stage_id=a.stages[0]),
            "deals.stage_has_deals",
        ),
        (
            lambda scope: pipelines.delete_pipeline(
                scope, actor=a.w.owner, pipeline_id=a.pipeline_id
            ),
            "deals.last_pipeline",
        ),
    ]:
        with pytest.raises(UserError) as err, session_scope() as s:
            work(TenantScope(s, a.w.tenant_id))
        assert err.value.code == code
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        pipelines.delete_stage(scope, actor=a.w.owner, stage_id=a.stages[1])
    names = [n for n, _ in stage_names(a.w.tenant_id, a.pipeline_id)]
    assert names == ["Novo", "Proposta", "Ganho", "Perdido"]
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        extra = pipelines.create_pipeline(scope, actor=a.w.owner, name="Extra", language="en")
        pipelines.delete_pipeline(scope, actor=a.w.owner, pipeline_id=extra.id or 0)
        assert scope.count(Pipeline) == 1 and scope.count(Deal) == 1


def test_agents_may_not_define_pipelines(deal_world: DealWorld) -> None:
    a = deal_world.a
    with pytest.raises(PermissionDenied), session_scope() as s:
        pipelines.add_stage(
            TenantScope(s, a.w.tenant_id),
            actor=a.w.agent_in,
            pipeline_id=a.pipeline_id,
            name="X",
            outcome="open",
        )
    with pytest.raises(PermissionDenied), session_scope() as s:
        pipelines.create_pipeline(
            TenantScope(s, a.w.tenant_id), actor=a.w.agent_in, name="Mine", language="en"
        )
    assert len(stage_names(a.w.tenant_id, a.pipeline_id)) == 5


def test_another_tenants_pipeline_is_not_found(deal_world: DealWorld) -> None:
    a, b = deal_world.a, deal_world.b
    for work in (
        lambda scope: pipelines.add_stage(
            scope, actor=b.w.owner, pipeline_id=a.pipeline_id, name="X", outcome="open"
        ),
        lambda scope: pipelines.update_stage(
            scope, actor=b.w.owner, stage_id=a.stages[0], name="X", outcome="won"
        ),
        lambda scope: pipelines.delete_stage(scope, actor=b.w.owner, stage_id=a.stages[1]),
        lambda scope: pipelines.rename_pipeline(
            scope, actor=b.w.owner, pipeline_id=a.pipeline_id, name="X"
        ),
    ):
        with pytest.raises(NotFound), session_scope() as s:
            work(TenantScope(s, b.w.tenant_id))
    # The victim's user acting in the attacker's scope is refused too (not a member there).
    with pytest.raises(NotFound), session_scope() as s:
        pipelines.add_stage(
            TenantScope(s, b.w.tenant_id),
            actor=a.w.owner,
            pipeline_id=b.pipeline_id,
            name="X",
            outcome="open",
        )
    assert stage_names(a.w.tenant_id, a.pipeline_id)[0] == ("Novo", "open")
