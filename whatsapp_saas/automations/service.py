"""Managing rules (managers only), the dry run and the run log.

Every function is keyword-only after the scope and the actor; another tenant's rule id is
"not found" (TenantScope), an agent gets PermissionDenied and nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import files, webhook_secrets
from whatsapp_saas.automations.actions import invalid
from whatsapp_saas.automations.engine import compiled_rules, facts_for
from whatsapp_saas.automations.hooks import TRIGGER_WEBHOOK
from whatsapp_saas.automations.hours import applied_hours, applied_name
from whatsapp_saas.automations.menus import AutomationMenu
from whatsapp_saas.automations.models import AutomationRule, AutomationRun
from whatsapp_saas.automations.rules import ACTION_MENU, Verdict, evaluate, validate
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.automations.variables import render, values_for
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.security.crypto import Keyring, keyring_from_settings
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

RUN_LOG_LIMIT = 100


def require_manager(actor: CurrentUser) -> None:
    if not actor.is_manager:
        raise PermissionDenied()


def list_rules(scope: TenantScope, *, actor: CurrentUser) -> list[AutomationRule]:
    require_manager(actor)
    rows = scope.all(AutomationRule)
    return sorted(rows, key=lambda r: (r.priority, r.id or 0))


def save_rule(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    rule_id: int | None = None,
    name: str,
    trigger: dict[str, Any],
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    enabled: bool = True,
    stop_after: bool = False,
    priority: int | None = None,
    keyring: Keyring | None = None,
) -> AutomationRule:
    """Create or update a rule; a UserError names the field in error and changes nothing."""
    require_manager(actor)
    clean = validate(name=name, trigger=trigger, conditions=conditions, actions=actions)
    check_files(scope, actions=clean[3])
    _check_references(scope, clean[1], clean[3])
    rule = scope.get(AutomationRule, rule_id) if rule_id else None
    previous = list(rule.actions) if rule is not None else []
    sealed = webhook_secrets.seal(
        scope, keyring=keyring or keyring_from_settings(), actions=clean[3], previous=previous
    )
    clean = (clean[0], clean[1], clean[2], sealed)
    if rule is None:
        rule = AutomationRule(tenant_id=scope.tenant_id, name=clean[0])
        rule.priority = priority if priority is not None else _next_priority(scope)
    elif priority is not None:
        rule.priority = priority
    rule.name, rule.trigger, rule.conditions, rule.actions = clean
    rule.enabled, rule.stop_after, rule.updated_at = enabled, stop_after, utcnow()
    scope.session.add(rule)
    scope.session.flush()
    return rule


def check_files(scope: TenantScope, *, actions: list[dict[str, Any]]) -> None:
    """Every file an action sends is one of the tenant's (another tenant's id is refused)."""
    wanted = {int(a["media_id"]) for a in actions if a.get("media_id")}
    if wanted - files.known_ids(scope, ids=wanted):
        raise UserError("error.auto_media_invalid", field="media")


def _check_references(
    scope: TenantScope, trigger: dict[str, Any], actions: list[dict[str, Any]]
) -> None:
    """The menus and the number a rule names are the tenant's own (another tenant's id, or a
    deleted one, is refused naming the field: it would only fail when the rule fires)."""
    for action in actions:
        menu_id = action.get("menu_id") if action["type"] == ACTION_MENU else None
        if (
            menu_id is not None
            and scope.first(AutomationMenu, col(AutomationMenu.id) == menu_id) is None
        ):
            raise invalid("error.auto_menu_not_found", "menu")
    number_id = trigger.get("number_id") if trigger["type"] == TRIGGER_WEBHOOK else None
    if (
        number_id is not None
        and scope.first(WhatsAppNumber, col(WhatsAppNumber.id) == number_id) is None
    ):
        raise invalid("error.auto_hook_number_invalid", "hook_number")


def _next_priority(scope: TenantScope) -> int:
    rows = scope.all(AutomationRule)
    return max((r.priority for r in rows), default=0) + 10


def set_enabled(
    scope: TenantScope, *, actor: CurrentUser, rule_id: int, enabled: bool
) -> AutomationRule:
    require_manager(actor)
    rule = scope.get(AutomationRule, rule_id)
    rule.enabled, rule.updated_at = enabled, utcnow()
    scope.session.add(rule)
    scope.session.flush()
    return rule


def duplicate_rule(scope: TenantScope, *, actor: CurrentUser, rule_id: int) -> AutomationRule:
    """A disabled copy right after the original, so it cannot fire twice by surprise."""
    require_manager(actor)
    original = scope.get(AutomationRule, rule_id)
    copy = AutomationRule(
        tenant_id=scope.tenant_id,
        name=f"{original.name} (2)"[:120],
        enabled=False,
        priority=original.priority + 1,
        stop_after=original.stop_after,
        trigger=dict(original.trigger),
        conditions=[dict(c) for c in original.conditions],
        actions=[dict(a) for a in original.actions],
    )
    scope.add(copy)
    scope.session.flush()
    return copy


def move_rule(
    scope: TenantScope, *, actor: CurrentUser, rule_id: int, step: int
) -> list[AutomationRule]:
    """Swap a rule with its neighbour (step -1: earlier, +1: later); priorities renumbered."""
    rules = list_rules(scope, actor=actor)
    index = next((i for i, r in enumerate(rules) if r.id == rule_id), None)
    if index is None:
        scope.get(AutomationRule, rule_id)  # raises NotFound
        return rules
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    now = utcnow()
    for position, rule in enumerate(rules):
        rule.priority, rule.updated_at = (position + 1) * 10, now  # also the cache's version
        scope.session.add(rule)
    scope.session.flush()
    return rules


def delete_rule(scope: TenantScope, *, actor: CurrentUser, rule_id: int) -> None:
    require_manager(actor)
    scope.delete(AutomationRule, rule_id)


@dataclass(frozen=True)
class DryRunLine:
    verdict: Verdict
    previews: tuple[str, ...]  # what each action would do, rendered


def dry_run(
    scope: TenantScope, *, actor: CurrentUser, text: str, conversation_id: int | None = None
) -> list[DryRunLine]:
    """Which enabled rules would fire on ``text``, why the others would not; sends nothing."""
    require_manager(actor)
    conversation = scope.get(Conversation, conversation_id) if conversation_id else None
    contact = scope.get(Contact, conversation.contact_id) if conversation else None
    now = utcnow()
    rules = compiled_rules(scope)
    facts = facts_for(
        scope,
        message=None,
        conversation=conversation,
        settings=settings_for(scope),
        now=now,
        text=text,
        rules=rules,
    )
    values = values_for(scope, contact=contact)
    menus = {m.id or 0: m.name for m in scope.all(AutomationMenu)}
    lines = []
    for verdict in evaluate(rules, facts):
        previews = tuple(_later(a, _preview(a, values, menus)) for a in verdict.actions)
        previews = previews if verdict.fired else ()
        lines.append(DryRunLine(verdict, previews))
    return lines


def dry_run_hours(
    scope: TenantScope, *, actor: CurrentUser, conversation_id: int | None = None
) -> tuple[str, str]:
    """Whose business hours the dry run judged by: (source, name), e.g. ("department",
    "Sales"); the company's are ("company", "")."""
    require_manager(actor)
    conversation = scope.get(Conversation, conversation_id) if conversation_id else None
    applied = applied_hours(scope, settings=settings_for(scope), conversation=conversation)
    return applied.source, applied_name(scope, applied=applied)


def _later(action: dict[str, Any], preview: str) -> str:
    delay = action.get("delay_minutes")
    return f"{preview} (+{delay} min)".strip() if delay else preview


def _preview(action: dict[str, Any], values: dict[str, str], menus: dict[int, str]) -> str:
    if "menu_id" in action:  # the menu's name (a deleted one: its id)
        return menus.get(int(action["menu_id"]), f"#{action['menu_id']}")
    if "message" in action:
        attached = " [📎]" if action.get("media_id") else ""
        return render(action["message"], values) + attached
    if "tag" in action:
        return str(action["tag"])
    if "department_id" in action:
        return f"#{action['department_id']}"
    if "key" in action:
        return f"{action['key']} = {action.get('value', '')}"
    if "url" in action:
        return str(action["url"])  # never the secret
    if "stage_id" in action:
        return f"#{action['stage_id']}"
    if "minutes" in action:
        return f"{action['minutes']} min"
    return ""


def run_log(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    rule_id: int | None = None,
    conversation_id: int | None = None,
) -> Sequence[AutomationRun]:
    """The newest runs, optionally of one rule or one conversation."""
    require_manager(actor)
    criteria: list[Any] = []
    if rule_id is not None:
        scope.get(AutomationRule, rule_id)
        criteria.append(AutomationRun.rule_id == rule_id)
    if conversation_id is not None:
        scope.get(Conversation, conversation_id)
        criteria.append(AutomationRun.conversation_id == conversation_id)
    query = scope.select(AutomationRun).where(*criteria)
    query = query.order_by(col(AutomationRun.id).desc()).limit(RUN_LOG_LIMIT)
    return scope.session.exec(query).all()


def add_file(
    scope: TenantScope, *, actor: CurrentUser, data: bytes, mimetype: str, filename: str | None
) -> files.AutomationFile:
    """Upload a file for rules and menus to send (managers only; media limits apply)."""
    require_manager(actor)
    if len(files.list_files(scope)) >= files.FILES_MAX:
        raise UserError("error.auto_files_too_many", field="media")
    return files.add_file(scope, data=data, mimetype=mimetype, filename=filename)


def list_files(scope: TenantScope, *, actor: CurrentUser) -> list[files.AutomationFile]:
    require_manager(actor)
    return files.list_files(scope)
