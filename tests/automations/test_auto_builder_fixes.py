"""The rule builder keeps what it loads: the deal trigger's Won/Lost filter, the WhatsApp
number condition (the business's linked number), the snooze's "until"; and the out-of-hours
template is the product's once-per-closed-period reply, not a rule answering every message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from auto_helpers import World, add_rule, automated, inbound, runs

from whatsapp_saas.automations import service, templates
from whatsapp_saas.automations.engine import handle_inbound
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.automations.settings import save_settings, settings_for
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import translate
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.automations import view
from whatsapp_saas.ui.automations.forms import (
    FIELD_OF_ERROR,
    actions_from,
    conditions_from,
    rule_parts,
    snooze_until,
    until_for_input,
)
from whatsapp_saas.ui.automations.state import AutomationsState
from whatsapp_saas.whatsapp.models import WhatsAppNumber


def _builder(scope: TenantScope, world: World, rule_id: int) -> Any:
    """The builder's state after "Edit" (AutomationsState._fill on the rule's form)."""
    builder = SimpleNamespace(form_key=0)
    AutomationsState._fill(builder, view.rule_form(scope, world.owner, rule_id))  # type: ignore[arg-type]
    return builder


def _press_save(scope: TenantScope, world: World, rule_id: int, builder: Any) -> AutomationRule:
    """What the browser submits from the builder's inputs (their defaults) on Save."""
    form = {
        "name": builder.form_name,
        "trigger_tag": builder.trigger_tag,
        "trigger_field": builder.trigger_field,
        "trigger_pipeline": builder.trigger_pipeline,
        "trigger_stage": builder.trigger_stage,
        "trigger_outcome": builder.trigger_outcome,
        **{f"message_{i}": a["message"] for i, a in enumerate(builder.actions)},
    }
    kinds = [a["type"] for a in builder.actions]
    parts = rule_parts(form, builder.trigger_type, actions_from(form, kinds), [])
    return service.save_rule(scope, actor=world.owner, rule_id=rule_id, **parts)


# --- 1. "Deal moved to Won" ----------------------------------------------------------------------


def test_the_deal_won_template_keeps_its_won_filter_through_the_builder(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        rule = templates.create_from_template(
            scope, actor=world.owner, key="deal_won", language="pt-BR"
        )
        assert rule.id is not None and rule.trigger["outcome"] == "won"
        builder = _builder(scope, world, rule.id)
        assert builder.trigger_type == "deal_stage_changed"
        assert builder.trigger_outcome == "won"  # the select shows it
        saved = _press_save(scope, world, rule.id, builder)
        assert saved.trigger == {"type": "deal_stage_changed", "outcome": "won"}
        # Lost, and back to any stage change, are kept too.
        builder.trigger_outcome = "lost"
        assert _press_save(scope, world, rule.id, builder).trigger["outcome"] == "lost"
        builder.trigger_outcome = ""
        assert "outcome" not in _press_save(scope, world, rule.id, builder).trigger


def test_the_outcome_filter_labels_exist_in_both_languages() -> None:
    for key in ("auto.only_outcome", "auto.any_outcome", "auto.outcome.won", "auto.outcome.lost"):
        assert translate("en", key) != key and translate("pt-BR", key) != key
    assert translate("pt-BR", "auto.outcome.won") == "Foi para etapa marcada como Ganho"


# --- 2. The out-of-hours template ----------------------------------------------------------------

WEEKDAYS = {str(d): ["09:00", "18:00"] for d in range(5)}


def _switch_on_what_the_template_made(world: World) -> None:
    """What the manager does next: switch on the rule it made, or the reply it filled in."""
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        for rule in scope.all(AutomationRule):
            service.set_enabled(scope, actor=world.owner, rule_id=rule.id or 0, enabled=True)
        save_settings(scope, out_of_hours_enabled=True)


def test_the_out_of_hours_template_replies_once_per_closed_period(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        save_settings(scope, timezone="America/Sao_Paulo", weekly_hours=WEEKDAYS)
        used = templates.use_template(
            scope, actor=world.owner, key="out_of_hours", language="pt-BR"
        )
        assert used.setting == "out_of_hours" and not used.on  # nothing sends until switched on
        assert scope.all(AutomationRule) == []
        assert settings_for(scope).out_of_hours_message.startswith("Estamos fora do horário")
        assert settings_for(scope).out_of_hours_enabled is False
    _switch_on_what_the_template_made(world)
    saturday = datetime(2030, 6, 1, 15, 0, tzinfo=UTC)  # 12:00 in São Paulo: closed
    ids = [inbound(world, text, run=False) for text in ("oi", "alguém aí?")]
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        handle_inbound(scope, message_id=ids[0], now=saturday)
        handle_inbound(scope, message_id=ids[1], now=saturday + timedelta(hours=2))
    replies = [m.body for m in automated(world)]
    assert replies == ["Estamos fora do horário de atendimento; responderemos assim que abrirmos."]
    assert {r.rule_name for r in runs(world)} == {"out_of_hours"}


def test_the_out_of_hours_template_keeps_a_written_reply(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        save_settings(scope, out_of_hours_enabled=True, out_of_hours_message="Volte amanhã.")
        used = templates.use_template(scope, actor=world.owner, key="out_of_hours", language="en")
        assert used.on and used.kept_text
        assert settings_for(scope).out_of_hours_message == "Volte amanhã."
        with pytest.raises(UserError):  # not a rule template
            templates.create_from_template(
                scope, actor=world.owner, key="out_of_hours", language="en"
            )
        # The other templates still make a disabled rule through the same button.
        made = templates.use_template(scope, actor=world.owner, key="price", language="en")
        assert made.setting == "" and made.name == "Price question: tag lead and reply"
        (rule,) = scope.all(AutomationRule)
        assert rule.enabled is False


# --- 3. "WhatsApp number is": the business's linked number ---------------------------------------


def _numbers(world: World) -> tuple[World, World]:
    """The tenant's Sales and Support numbers (the same customer writes to both)."""
    with session_scope() as session:
        sales = WhatsAppNumber(tenant_id=world.tenant_id, name="Sales", phone="+5511900000001")
        support = WhatsAppNumber(tenant_id=world.tenant_id, name="Support", phone="+5511900000002")
        session.add_all([sales, support])
        session.flush()
        assert sales.id is not None and support.id is not None
        ids = sales.id, support.id
    return (
        World(world.tenant_id, ids[0], world.owner, world.agent),
        World(world.tenant_id, ids[1], world.owner, world.agent),
    )


def test_a_sales_number_only_rule_fires_on_sales_and_not_on_support(world: World) -> None:
    sales, support = _numbers(world)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        choices = view.numbers(scope)
        assert [c["label"].split(" (")[0] for c in choices] == ["Main", "Sales", "Support"]
        rows = [{"type": "number", "group": ""}]
        form = {"keyword": "oi", "cond_value_0": str(sales.number_id), "message_0": "Vendas!"}
        tree = conditions_from(form, rows, "all", "all")
        parts = rule_parts(form, "keyword", actions_from(form, ["send_message"]), tree)
        rule = service.save_rule(scope, actor=world.owner, name="Sales number only", **{
            k: v for k, v in parts.items() if k != "name"
        })  # fmt: skip
        assert rule.conditions == [{"type": "number", "number_id": sales.number_id}]
        edited = view.rule_form(scope, world.owner, rule.id or 0)
        assert edited["cond_rows"][0]["type"] == "number"
        assert edited["cond_rows"][0]["value"] == str(sales.number_id)  # the select shows it
    inbound(support, "oi")
    assert automated(world) == []
    inbound(sales, "oi")
    (sent,) = automated(world)
    assert sent.body == "Vendas!" and sent.number_id == sales.number_id


def test_no_number_chosen_names_the_field(world: World) -> None:
    rows = [{"type": "number", "group": ""}]
    form = {"keyword": "oi", "cond_value_0": "", "message_0": "x"}
    parts = rule_parts(
        form, "keyword", actions_from(form, ["send_message"]), conditions_from(form, rows, "", "")
    )
    with session_scope() as session, pytest.raises(UserError) as refused:
        service.save_rule(TenantScope(session, world.tenant_id), actor=world.owner, **parts)
    assert refused.value.code == "error.auto_whatsapp_number_required"
    assert FIELD_OF_ERROR[refused.value.code] == "conditions"
    assert translate("pt-BR", refused.value.code).startswith("Valor da condição:")


def test_an_old_customer_phone_rule_still_loads_and_runs(world: World) -> None:
    rule_id = add_rule(
        world,
        name="Old phone rule",
        conditions=[{"type": "phone", "value": "+55 11 98888-0001"}],
    )
    with session_scope() as session:
        edited = view.rule_form(TenantScope(session, world.tenant_id), world.owner, rule_id)
    assert edited["cond_rows"][0]["type"] == "phone"
    assert edited["cond_rows"][0]["value"] == "5511988880001"
    assert translate("en", "auto.cond.phone") == "Customer's phone is"
    assert translate("en", "auto.cond.number") == "WhatsApp number is"
    inbound(world, "preco")
    assert [m.body for m in automated(world)] == ["Olá Maria!"]


# --- 4. Snooze until a date and time -------------------------------------------------------------

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def _snooze(**values: str) -> list[dict[str, Any]]:
    return [{"type": "snooze", "minutes": "", "until": "", **values}]


def test_snooze_until_is_read_in_the_company_time_zone_and_shown_back(world: World) -> None:
    (action,) = snooze_until(_snooze(until="2030-06-01T18:00"), "America/Sao_Paulo", NOW)
    assert action["until"] == "2030-06-01T18:00-03:00"
    assert until_for_input(action["until"], "America/Sao_Paulo") == "2030-06-01T18:00"
    # Minutes still work, and other actions lose the empty "until".
    (minutes,) = snooze_until(_snooze(minutes="30"), "UTC", NOW)
    assert minutes["minutes"] == "30" and "until" not in minutes
    form = {"keyword": "depois", "until_0": "2030-06-01T18:00", "minutes_0": ""}
    parts = rule_parts(form, "keyword", actions_from(form, ["snooze"]), [])
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)  # the tenant is in São Paulo
        actions = snooze_until(parts["actions"], "America/Sao_Paulo", NOW)
        rule = service.save_rule(scope, actor=world.owner, **{**parts, "actions": actions})
        assert rule.actions == [{"type": "snooze", "until": "2030-06-01T18:00-03:00"}]
        edited = view.rule_form(scope, world.owner, rule.id or 0)
    assert edited["actions"][0]["until"] == "2030-06-01T18:00"  # the builder's input value


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"until": "amanhã"}, "error.auto_until_invalid"),
        ({"until": "2030-06-01T08:00"}, "error.auto_until_past"),  # 11:00 UTC: before NOW
        ({"until": "2030-06-02T08:00", "minutes": "30"}, "error.auto_snooze_both"),
    ],
)
def test_a_bad_snooze_until_is_refused_naming_the_field(values: dict[str, str], code: str) -> None:
    with pytest.raises(UserError) as refused:
        snooze_until(_snooze(**values), "America/Sao_Paulo", NOW)
    assert refused.value.code == code
    assert FIELD_OF_ERROR[code] == "actions"
    assert translate("pt-BR", code).startswith("Adiar")
    assert translate("en", code).startswith("Snooze")
