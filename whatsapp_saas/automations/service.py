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
from whatsapp_saas.automations.engine import compiled_rules, facts_for
from whatsapp_saas.automations.models import AutomationRule, AutomationRun
from whatsapp_saas.automations.rules import Verdict, evaluate, validate
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.automations.variables import contact_values, render
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.errors import PermissionDenied
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

RUN_LOG_LIMIT = 100


def require_manager(actor: CurrentUser) -> None:
    if not actor.is_manager:
        raise PermissionDenied()


def list_rules(scope: TenantScope, actor: CurrentUser) -> list[AutomationRule]:
    require_manager(actor)
    rows = scope.all(AutomationRule)
    return sorted(rows, key=lambda r: (r.priority, r.id or 0))


def save_rule(
    scope: TenantScope,
    actor: CurrentUser,
    *,
    rule_id: int | None = None,
    name: str,
    trigger: dict[str, Any],
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    enabled: bool = True,
    stop_after: bool = False,
    priority: int | None = None,
) -> AutomationRule:
    """Create or update a rule; a UserError names the field in error and changes nothing."""
    require_manager(actor)
    clean = validate(name=name, trigger=trigger, conditions=conditions, actions=actions)
    rule = scope.get(AutomationRule, rule_id) if rule_id else None
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


def _next_priority(scope: TenantScope) -> int:
    rows = scope.all(AutomationRule)
    return max((r.priority for r in rows), default=0) + 10


def set_enabled(
    scope: TenantScope, actor: CurrentUser, *, rule_id: int, enabled: bool
) -> AutomationRule:
    require_manager(actor)
    rule = scope.get(AutomationRule, rule_id)
    rule.enabled, rule.updated_at = enabled, utcnow()
    scope.session.add(rule)
    scope.session.flush()
    return rule


def duplicate_rule(scope: TenantScope, actor: CurrentUser, *, rule_id: int) -> AutomationRule:
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
    scope: TenantScope, actor: CurrentUser, *, rule_id: int, step: int
) -> list[AutomationRule]:
    """Swap a rule with its neighbour (step -1: earlier, +1: later); priorities renumbered."""
    rules = list_rules(scope, actor)
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


def delete_rule(scope: TenantScope, actor: CurrentUser, *, rule_id: int) -> None:
    require_manager(actor)
    scope.delete(AutomationRule, rule_id)


@dataclass(frozen=True)
class DryRunLine:
    verdict: Verdict
    previews: tuple[str, ...]  # what each action would do, rendered


def dry_run(
    scope: TenantScope, actor: CurrentUser, *, text: str, conversation_id: int | None = None
) -> list[DryRunLine]:
    """Which enabled rules would fire on ``text``, why the others would not; sends nothing."""
    require_manager(actor)
    conversation = scope.get(Conversation, conversation_id) if conversation_id else None
    contact = scope.get(Contact, conversation.contact_id) if conversation else None
    now = utcnow()
    facts = facts_for(scope, None, conversation, settings_for(scope), now, text=text)
    values = contact_values(contact)
    lines = []
    for verdict in evaluate(compiled_rules(scope), facts):
        previews = tuple(_preview(a, values) for a in verdict.actions) if verdict.fired else ()
        lines.append(DryRunLine(verdict, previews))
    return lines


def _preview(action: dict[str, Any], values: dict[str, str]) -> str:
    if "message" in action:
        return render(action["message"], values)
    if "tag" in action:
        return str(action["tag"])
    if "department_id" in action:
        return f"#{action['department_id']}"
    return ""


def run_log(
    scope: TenantScope,
    actor: CurrentUser,
    *,
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
