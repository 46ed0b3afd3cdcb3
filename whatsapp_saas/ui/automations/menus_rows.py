"""Rows for the Menus tab: plain dicts of strings, read through the services."""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import menu_service
from whatsapp_saas.automations.menus import AutomationMenu
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.automations.view import departments as departments

__all__ = ["agents", "departments", "menu_form", "menu_rows", "rules"]


def menu_rows(scope: TenantScope, user: CurrentUser) -> list[dict[str, str]]:
    return [
        {
            "id": str(m.id),
            "name": m.name,
            "options": str(len(m.tree.get("options") or [])),
            "enabled": "1" if m.enabled else "",
            "starts_new": "1" if m.start_on_new_conversation else "",
        }
        for m in menu_service.list_menus(scope, actor=user)
    ]


def menu_form(menu: AutomationMenu) -> dict[str, Any]:
    return {
        "id": str(menu.id),
        "name": menu.name,
        "tree": menu.tree,
        "keywords": ", ".join(menu.keywords),
        "reprompt_limit": menu.reprompt_limit,
        "reprompt_message": menu.reprompt_message,
        "handoff_message": menu.handoff_message,
        "timeout_minutes": menu.timeout_minutes,
        "timeout_action": menu.timeout_action,
        "expiry_minutes": menu.expiry_minutes,
        "start_on_new_conversation": menu.start_on_new_conversation,
        "enabled": menu.enabled,
    }


def agents(scope: TenantScope) -> list[dict[str, str]]:
    query = scope.select(User).where(col(User.is_active).is_(True)).order_by(col(User.name))
    users = scope.session.exec(query).all()
    return [{"id": str(u.id), "label": u.name or u.email} for u in users]


def rules(scope: TenantScope) -> list[dict[str, str]]:
    rows = scope.session.exec(scope.select(AutomationRule).order_by(col(AutomationRule.name)))
    return [{"id": str(r.id), "label": r.name} for r in rows.all()]
