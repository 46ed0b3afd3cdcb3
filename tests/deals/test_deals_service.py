"""Deals: creation with per-field validation, edits, stage changes with history and events,
and who may touch which deal."""

from __future__ import annotations

from datetime import date

import pytest

from tests.deals.conftest import DealWorld, Recorder
from whatsapp_saas.crm.fields import create_definition
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.events import DealCreated, DealStageChanged, DealUpdated
from whatsapp_saas.deals.models import Deal, DealStageChange
from whatsapp_saas.deals.validation import DealForm, DealInvalid, DealValues, parse_form
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def _create(side, actor, **overrides):  # type: ignore[no-untyped-def]
    form = {
        "title": "Bolo de casamento",
        "contact_id": str(side.open_contact),
        "value": "1.234,56",
        "stage_id": str(side.stages[0]),
        **overrides,
    }
    with session_scope() as s:
        deal = deals.create_deal(
            TenantScope(s, side.w.tenant_id), actor=actor, values=parse_form(DealForm.of(form))
        )
        return deal.id


def _count(tenant_id: int) -> int:
    with session_scope() as s:
        return TenantScope(s, tenant_id).count(Deal)


def test_create_a_deal_records_its_first_stage_and_announces(
    deal_world: DealWorld, deal_events: Recorder
) -> None:
    a = deal_world.a
    deal_id = _create(
        a,
        a.w.agent_out,
        owner_id=str(a.w.agent_in.user_id),
        expected_close="2027-01-31",
        conversation_id=str(a.open_conversation),
    )
    with session_scope() as s:
        deal = TenantScope(s, a.w.tenant_id).get(Deal, deal_id)
        assert (deal.value_cents, deal.owner_id) == (123456, a.w.agent_in.user_id)
        assert deal.expected_close == date(2027, 1, 31) and deal.pipeline_id == a.pipeline_id
        [step] = deals.history(TenantScope(s, a.w.tenant_id), actor=a.w.owner, deal_id=deal_id)
    assert (step.from_stage_id, step.to_stage_id, step.by_user_id) == (
        None,
        a.stages[0],
        a.w.agent_out.user_id,
    )
    [created] = deal_events.of(DealCreated)
    assert created.deal_id == deal_id and created.conversation_id == a.open_conversation


def test_every_bad_field_is_named_and_nothing_is_stored(deal_world: DealWorld) -> None:
    a = deal_world.a
    with pytest.raises(DealInvalid) as err:
        parse_form(DealForm.of({"title": " ", "value": "12,3,4", "expected_close": "31/01/2027"}))
    assert err.value.errors == {
        "title": "deals.title_required",
        "contact_id": "deals.contact_required",
        "stage_id": "deals.stage_required",
        "value": "deals.bad_value",
        "expected_close": "deals.bad_date",
    }
    b = deal_world.b
    with pytest.raises(DealInvalid) as err:
        _create(
            a,
            a.w.owner,
            stage_id=str(b.stages[0]),
            owner_id=str(b.w.owner.user_id),
            conversation_id=str(b.open_conversation),
        )
    assert err.value.errors == {
        "stage_id": "deals.not_found",
        "owner_id": "deals.not_found",
        "conversation_id": "deals.not_found",
    }
    with pytest.raises(DealInvalid) as err:
        _create(a, a.w.owner, contact_id=str(b.open_contact))
    assert err.value.errors == {"contact_id": "deals.not_found"}
    assert _count(a.w.tenant_id) == 0


def test_agents_only_touch_deals_of_contacts_they_may_see(deal_world: DealWorld) -> None:
    a = deal_world.a
    with pytest.raises(DealInvalid) as err:
        _create(a, a.w.agent_out, contact_id=str(a.hidden_contact))
    assert err.value.errors == {"contact_id": "deals.not_found"}
    hidden = _create(a, a.w.agent_in, contact_id=str(a.hidden_contact))
    with pytest.raises(NotFound), session_scope() as s:
        deals.move_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.agent_out, deal_id=hidden, stage_id=a.stages[1]
        )
    with session_scope() as s:
        deals.move_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.agent_in, deal_id=hidden, stage_id=a.stages[1]
        )
        assert TenantScope(s, a.w.tenant_id).get(Deal, hidden).stage_id == a.stages[1]


def test_stage_changes_build_the_history_and_won_closes(
    deal_world: DealWorld, deal_events: Recorder
) -> None:
    a = deal_world.a
    deal_id = _create(a, a.w.owner)
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        assert (
            deals.move_deal(scope, actor=a.w.agent_in, deal_id=deal_id, stage_id=a.stages[2])
            is not None
        )
        assert (
            deals.move_deal(scope, actor=a.w.agent_in, deal_id=deal_id, stage_id=a.stages[2])
            is None
        )  # no-op
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        deals.move_deal(scope, actor=a.w.owner, deal_id=deal_id, stage_id=a.stages[3])
        assert scope.get(Deal, deal_id).closed_at is not None
        steps = deals.history(scope, actor=a.w.owner, deal_id=deal_id)
    assert [(h.from_stage_id, h.to_stage_id) for h in steps] == [
        (None, a.stages[0]),
        (a.stages[0], a.stages[2]),
        (a.stages[2], a.stages[3]),
    ]
    moves = deal_events.of(DealStageChanged)
    assert [(m.from_stage_id, m.to_stage_id, m.by_user_id) for m in moves] == [
        (a.stages[0], a.stages[2], a.w.agent_in.user_id),
        (a.stages[2], a.stages[3], a.w.owner.user_id),
    ]
    assert moves[0].contact_id == a.open_contact and moves[0].pipeline_id == a.pipeline_id
    with session_scope() as s:
        deals.move_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.owner, deal_id=deal_id, stage_id=a.stages[0]
        )
        assert TenantScope(s, a.w.tenant_id).get(Deal, deal_id).closed_at is None


def test_a_failed_move_announces_nothing(deal_world: DealWorld, deal_events: Recorder) -> None:
    a, b = deal_world.a, deal_world.b
    deal_id = _create(a, a.w.owner)
    with pytest.raises(NotFound), session_scope() as s:
        deals.move_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.owner, deal_id=deal_id, stage_id=b.stages[1]
        )
    with pytest.raises(NotFound), session_scope() as s:
        deals.move_deal(
            TenantScope(s, b.w.tenant_id), actor=b.w.owner, deal_id=deal_id, stage_id=b.stages[1]
        )
    assert deal_events.of(DealStageChanged) == []
    with session_scope() as s:
        assert TenantScope(s, a.w.tenant_id).count(DealStageChange) == 1


def test_update_a_deal(deal_world: DealWorld, deal_events: Recorder) -> None:
    a = deal_world.a
    deal_id = _create(a, a.w.owner)
    values = DealValues("Bolo grande", a.hidden_contact, a.stages[1], 99_00, a.w.owner.user_id)
    with session_scope() as s:
        create_definition(
            TenantScope(s, a.w.tenant_id), entity="deal", key="sabor", label="Sabor", type="text"
        )
    with session_scope() as s:
        deal = deals.update_deal(
            TenantScope(s, a.w.tenant_id),
            actor=a.w.owner,
            deal_id=deal_id,
            values=values,
            fields={"sabor": "chocolate"},
        )
        assert deal.contact_id == a.open_contact  # a deal's contact is fixed
    [updated] = deal_events.of(DealUpdated)
    assert set(updated.changed) == {"title", "value_cents", "owner_id", "fields"}
    assert [m.to_stage_id for m in deal_events.of(DealStageChanged)] == [a.stages[1]]
    bad = DealValues("Bolo", a.open_contact, a.stages[1], owner_id=deal_world.b.w.owner.user_id)
    with pytest.raises(DealInvalid), session_scope() as s:
        deals.update_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.owner, deal_id=deal_id, values=bad
        )
    with session_scope() as s:
        assert TenantScope(s, a.w.tenant_id).get(Deal, deal_id).title == "Bolo grande"


def test_deal_custom_fields_follow_the_tenants_definitions(deal_world: DealWorld) -> None:
    a = deal_world.a
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        create_definition(
            scope, entity="deal", key="discount", label="Desconto", type="percent", max_value=30
        )
    values = DealValues("Plano anual", a.open_contact, a.stages[0])
    with pytest.raises(DealInvalid) as err, session_scope() as s:
        deals.create_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.owner, values=values, fields={"discount": "95"}
        )
    assert set(err.value.errors) == {"field-discount"}
    with pytest.raises(DealInvalid) as err, session_scope() as s:
        deals.create_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.owner, values=values, fields={"cpf": "1"}
        )
    assert err.value.errors == {"field-cpf": "crm.error_field_unknown"}
    assert _count(a.w.tenant_id) == 0
    with session_scope() as s:
        deal = deals.create_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.owner, values=values, fields={"discount": "10"}
        )
        assert deal.fields["discount"] is not None
