"""A rule names only the tenant's own rows: a "Send menu" of another tenant, or of a deleted
menu, is refused naming the field, and nothing is saved."""

from __future__ import annotations

import pytest
from auto_helpers import World, add_rule, make_world
from menu_helpers import add_department, add_menu, three_levels
from sqlmodel import select

from whatsapp_saas.automations import actions, conditions, menus, service
from whatsapp_saas.automations.menu_service import delete_menu, save_menu
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope


def _save_menu_rule(world: World, menu_id: int, rule_id: int | None = None) -> AutomationRule:
    with session_scope() as session:
        return service.save_rule(
            TenantScope(session, world.tenant_id),
            actor=world.owner,
            rule_id=rule_id,
            name="Greeting",
            trigger={"type": "message_received", "which": "any"},
            conditions=[],
            actions=[{"type": "send_menu", "menu_id": str(menu_id)}],
        )


def _rule_names(world: World) -> list[str]:
    with session_scope() as session:
        query = select(AutomationRule).where(AutomationRule.tenant_id == world.tenant_id)
        return [r.name for r in session.exec(query).all()]


def test_the_tenants_own_menu_is_accepted(world: World) -> None:
    menu_id = add_menu(world, add_department(world))
    rule = _save_menu_rule(world, menu_id)
    assert rule.actions == [{"type": "send_menu", "menu_id": menu_id}]


def test_another_tenants_menu_is_refused(world: World) -> None:
    other = make_world("Beta")
    foreign_menu = add_menu(other, add_department(other))
    with pytest.raises(UserError) as refused:
        _save_menu_rule(world, foreign_menu)
    assert refused.value.code == "error.auto_menu_not_found"
    assert refused.value.params == {"field": "menu"}
    assert _rule_names(world) == []


def test_a_deleted_menu_is_refused_and_the_rule_keeps_its_old_one(world: World) -> None:
    department = add_department(world)
    kept = add_menu(world, department)
    with session_scope() as session:
        old = save_menu(
            TenantScope(session, world.tenant_id),
            actor=world.owner,
            name="Old menu",
            tree=three_levels(department),
        )
        deleted = old.id or 0
    rule_id = add_rule(world, actions=[{"type": "send_menu", "menu_id": str(kept)}])
    with session_scope() as session:
        delete_menu(TenantScope(session, world.tenant_id), actor=world.owner, menu_id=deleted)
    with pytest.raises(UserError) as refused:
        _save_menu_rule(world, deleted, rule_id=rule_id)
    assert refused.value.code == "error.auto_menu_not_found"
    with session_scope() as session:
        rule = session.get(AutomationRule, rule_id)
        assert rule is not None and rule.actions == [{"type": "send_menu", "menu_id": kept}]


def test_one_validation_helper() -> None:
    """Rules, conditions and menus raise through the actions module's one ``invalid``."""
    assert vars(conditions)["invalid"] is actions.invalid
    assert vars(menus)["invalid"] is actions.invalid
