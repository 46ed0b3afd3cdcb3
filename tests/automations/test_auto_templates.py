"""Rule templates: every offered template validates in both languages, becomes a disabled
rule for a manager, and is refused to an agent; the builder reads a time trigger's fields."""

from __future__ import annotations

import pytest
from auto_helpers import World

from whatsapp_saas.automations import templates
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.automations.rules import validate
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.i18n import translate
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.automations.forms import rule_parts


def test_templates_offered_validate_in_both_languages() -> None:
    keys = {t.key for t in templates.available()}
    assert {"greeting", "price", "out_of_hours", "no_agent_reply"} <= keys
    for template in templates.available():
        for language in (templates.EN, templates.PT):
            validate(**template.parts(language))
    price = next(t for t in templates.available() if t.key == "price")
    assert "tabela" in price.parts("pt-BR")["actions"][1]["message"]
    assert "price list" in price.parts("en")["actions"][1]["message"]


def test_a_template_becomes_a_disabled_rule(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        rule = templates.create_from_template(
            scope, actor=world.owner, key="price", language="pt-BR"
        )
        assert rule.enabled is False
        assert rule.name == "Pergunta de preço: marcar lead e responder"
        assert rule.actions[0] == {"type": "add_tag", "tag": "lead"}


def test_agents_and_unknown_templates_are_refused(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        with pytest.raises(PermissionDenied):
            templates.create_from_template(scope, actor=world.agent, key="price", language="en")
        with pytest.raises(UserError):
            templates.create_from_template(scope, actor=world.owner, key="nope", language="en")
        assert scope.all(AutomationRule) == []


def test_the_builder_reads_time_triggers_and_labels_exist_in_both_languages() -> None:
    parts = rule_parts({"name": "n", "minutes": "15"}, "no_agent_reply", [])
    assert parts["trigger"]["minutes"] == "15"
    _, trigger, _, _ = validate(
        name="n",
        trigger=rule_parts({"at": "08:00", "days": "weekdays"}, "schedule", [])["trigger"],
        conditions=[],
        actions=[{"type": "send_message", "message": "x"}],
    )
    assert trigger == {"type": "schedule", "at": "08:00", "days": "weekdays"}
    for key in ("auto.trigger.no_agent_reply", "auto.templates", "auto.why_timer"):
        assert translate("en", key) != translate("pt-BR", key)
