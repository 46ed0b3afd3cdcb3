"""The rule builder's "Send menu" action, the named automation badge, and the Safety card's
settings (the bot guard), on PostgreSQL."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from auto_helpers import World, add_rule, automated, conversation, inbound, make_world, runs
from menu_helpers import add_department, add_menu

from whatsapp_saas.automations import service
from whatsapp_saas.automations.menus import MenuSession
from whatsapp_saas.automations.settings import save_settings, settings_for
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import translate
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.automations import view
from whatsapp_saas.ui.automations.forms import FIELD_OF_ERROR, actions_from, rule_parts
from whatsapp_saas.ui.inbox.views import _message_row


def _save_from_builder(world: World, form: dict[str, Any], trigger: str) -> int:
    """What AutomationsState.save_rule does with the submitted form."""
    parts = rule_parts(form, trigger, actions_from(form, ["send_menu"]), [])
    with session_scope() as session:
        rule = service.save_rule(
            TenantScope(session, world.tenant_id), actor=world.owner, enabled=True, **parts
        )
        assert rule.id is not None
        return rule.id


def test_a_send_menu_rule_saved_from_the_builder_starts_the_menu(world: World) -> None:
    menu = add_menu(world, add_department(world))
    form = {"name": "Welcome", "which": "new_contact", "menu_0": str(menu), "delay_0": ""}
    rule_id = _save_from_builder(world, form, "message_received")
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        edited = view.rule_form(scope, world.owner, rule_id)
        choices = view.menu_choices(scope, world.owner)
    assert edited["actions"][0]["type"] == "send_menu"
    assert edited["actions"][0]["menu_id"] == str(menu)  # the select shows it when edited
    assert choices == [{"id": str(menu), "label": "Main menu", "enabled": "1"}]
    inbound(world, "oi")
    (sent,) = automated(world)
    assert sent.body is not None and sent.body.startswith("Olá Maria! Como podemos ajudar?")
    assert sent.automation_rule == "Main menu"
    with session_scope() as session:
        started = TenantScope(session, world.tenant_id).first(MenuSession)
        assert started is not None and started.menu_id == menu
        assert started.conversation_id == conversation(world).id


def test_send_menu_without_a_menu_names_the_field_and_a_foreign_menu_is_refused(
    world: World,
) -> None:
    with pytest.raises(UserError) as refused:
        _save_from_builder(world, {"keyword": "menu", "menu_0": ""}, "keyword")
    assert refused.value.code == "error.auto_menu_required"
    assert FIELD_OF_ERROR[refused.value.code] == "actions"  # shown under the actions
    assert translate("pt-BR", refused.value.code) == "Menu: escolha um menu."
    other = make_world("Other")
    foreign = add_menu(other, add_department(other))
    with session_scope() as session:
        assert view.menu_choices(TenantScope(session, world.tenant_id), world.owner) == []
    # Refused when saved, naming the field (it used to be stored and fail when it fired).
    with pytest.raises(UserError) as refused:
        _save_from_builder(world, {"keyword": "menu", "menu_0": str(foreign)}, "keyword")
    assert refused.value.code == "error.auto_menu_not_found"
    assert FIELD_OF_ERROR[refused.value.code] == "actions"
    with session_scope() as session:
        assert service.list_rules(TenantScope(session, world.tenant_id), actor=world.owner) == []
    inbound(world, "menu")
    assert automated(world) == [] and automated(other) == []


def test_the_dry_run_says_which_menu_a_rule_would_send(world: World) -> None:
    menu = add_menu(world, add_department(world))
    _save_from_builder(world, {"name": "Menu", "keyword": "menu", "menu_0": str(menu)}, "keyword")
    with session_scope() as session:
        (line,) = service.dry_run(
            TenantScope(session, world.tenant_id), actor=world.owner, text="Menu"
        )
    assert line.verdict.fired and line.previews == ("Main menu",)
    assert translate("pt-BR", "auto.action.send_menu") == "Enviar menu"
    assert automated(world) == []  # nothing sent


def test_the_inbox_badge_names_the_rule_or_menu(world: World) -> None:
    menu = add_menu(world, add_department(world))
    _save_from_builder(world, {"keyword": "menu", "menu_0": str(menu)}, "keyword")
    inbound(world, "menu")
    (sent,) = automated(world)
    row = _message_row(sent, ZoneInfo("UTC"), {}, {}, "en")
    assert row["sender"] == ""
    badge = {
        lang: translate(lang, row["sender_key"]).replace("{name}", row["sender_name"])
        for lang in ("en", "pt-BR")
    }
    assert badge == {"en": "Automation · Main menu", "pt-BR": "Automação · Main menu"}
    sent.automation_rule = None  # older rows: the plain badge
    row = _message_row(sent, ZoneInfo("UTC"), {}, {}, "en")
    assert translate("en", row["sender_key"]) == "Automation" and row["sender_name"] == ""


def test_safety_settings_read_phones_as_typed_and_check_the_limit(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        save_settings(
            scope,
            bot_ignore_phones="(11) 98888-0002\n+55 11 98888-0002\n\n5511977776666",
            bot_max_per_minute="5",
        )
        form = view.hours_form(scope)
    assert form["bot_ignore"] == "+55 11 97777-6666\n+55 11 98888-0002"
    assert form["bot_per_minute"] == "5"
    for values, code in (
        ({"bot_ignore_phones": "12"}, "error.auto_phone_invalid"),
        ({"bot_max_per_minute": "-1"}, "error.auto_bot_limit_invalid"),
        ({"bot_max_per_minute": "muitos"}, "error.auto_bot_limit_invalid"),
    ):
        with session_scope() as session, pytest.raises(UserError) as refused:
            save_settings(TenantScope(session, world.tenant_id), **values)
        assert refused.value.code == code
        assert translate("pt-BR", code) != translate("en", code)
    with session_scope() as session:
        kept = settings_for(TenantScope(session, world.tenant_id))
        assert kept.bot_ignore_phones == ["+5511977776666", "+5511988880002"]
        assert kept.bot_max_per_minute == 5
    # The normalised list is what the guard compares: the typed local number is ignored.
    add_rule(world, trigger={"type": "message_received"})
    inbound(world, "olá", phone="+5511988880002")
    assert automated(world) == []
    assert [(r.status, r.error) for r in runs(world)] == [("bot", "ignore_list")]
