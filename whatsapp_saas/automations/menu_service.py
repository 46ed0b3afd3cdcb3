"""Managing menus (managers only): list, read, save with validation, delete.

Another tenant's menu id is "not found" (TenantScope); an agent gets PermissionDenied; a
UserError's ``field`` names the field in error ("name"; "2.1" for option 2.1); nothing changes.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations.actions import invalid
from whatsapp_saas.automations.files import AutomationFile, known_ids
from whatsapp_saas.automations.menus import (
    NAME_MAX,
    TIMEOUT_ACTIONS,
    AutomationMenu,
    clean_keywords,
    clean_tree,
)
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.automations.service import require_manager
from whatsapp_saas.inbox.models import Department
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope


def list_menus(scope: TenantScope, *, actor: CurrentUser) -> list[AutomationMenu]:
    require_manager(actor)
    return sorted(scope.all(AutomationMenu), key=lambda m: (m.name.lower(), m.id or 0))


def save_menu(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    menu_id: int | None = None,
    name: str,
    tree: dict[str, Any],
    keywords: str = "",
    reprompt_limit: int | str = 2,
    reprompt_message: str = "",
    handoff_message: str = "",
    timeout_minutes: int | str = 30,
    timeout_action: str = "human",
    expiry_minutes: int | str = 1440,
    start_on_new_conversation: bool = False,
    enabled: bool = True,
) -> AutomationMenu:
    require_manager(actor)
    clean_name = name.strip()
    if not clean_name:
        raise invalid("error.menu_name_required", "name")
    if len(clean_name) > NAME_MAX:
        raise invalid("error.menu_name_too_long", "name")
    clean = clean_tree(tree)
    _check_targets(scope, clean)
    if timeout_action not in TIMEOUT_ACTIONS:
        raise invalid("error.menu_timeout_action_invalid", "timeout_action")
    menu = scope.get(AutomationMenu, menu_id) if menu_id else None
    clash = scope.first(AutomationMenu, col(AutomationMenu.name) == clean_name)
    if clash is not None and (menu is None or clash.id != menu.id):
        raise invalid("error.menu_name_taken", "name")
    menu = menu or AutomationMenu(tenant_id=scope.tenant_id, name=clean_name)
    menu.name, menu.tree, menu.keywords = clean_name, clean, clean_keywords(keywords)
    menu.reprompt_limit = _whole(reprompt_limit, "reprompt_limit", 0, 10)
    menu.timeout_minutes = _whole(timeout_minutes, "timeout_minutes", 1, 10080)
    menu.expiry_minutes = _whole(expiry_minutes, "expiry_minutes", 1, 43200)
    menu.reprompt_message = reprompt_message.strip()[:1000]
    menu.handoff_message = handoff_message.strip()[:1000]
    menu.timeout_action, menu.enabled = timeout_action, enabled
    menu.start_on_new_conversation, menu.updated_at = start_on_new_conversation, utcnow()
    scope.session.add(menu)
    scope.session.flush()
    return menu


def _whole(value: int | str, field: str, low: int, high: int) -> int:
    text = str(value).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise invalid(f"error.menu_{field}_invalid", field)
    return int(text)


def _check_targets(scope: TenantScope, node: dict[str, Any], prefix: str = "") -> None:
    """Every department, agent and rule an option names is this tenant's."""
    kinds: dict[str, Any] = {
        "department_id": Department,
        "user_id": User,
        "rule_id": AutomationRule,
        "media_id": AutomationFile,
    }
    if node.get("media_id") and not known_ids(scope, ids={int(node["media_id"])}):
        raise invalid("error.menu_media_invalid", "message")
    for index, option in enumerate(node.get("options") or []):
        number = f"{prefix}{index + 1}"
        for key, model in kinds.items():
            if key in option and scope.first(model, model.id == option[key]) is None:
                raise invalid(f"error.menu_option_{key}_required", number)
        _check_targets(scope, option, f"{number}.")


def delete_menu(scope: TenantScope, *, actor: CurrentUser, menu_id: int) -> None:
    require_manager(actor)
    scope.delete(AutomationMenu, menu_id)
