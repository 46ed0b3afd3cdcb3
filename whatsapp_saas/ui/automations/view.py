"""Rows for the Automations page: plain dicts of strings, read through the services."""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import service
from whatsapp_saas.automations.models import AutomationRule, AutomationRun
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.departments import list_departments
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.tenancy.scope import TenantScope

CONVERSATION_CHOICES = 50


def rule_rows(scope: TenantScope, user: CurrentUser) -> list[dict[str, str]]:
    return [_rule_row(r) for r in service.list_rules(scope, user)]


def _rule_row(rule: AutomationRule) -> dict[str, str]:
    trigger = rule.trigger
    return {
        "id": str(rule.id),
        "name": rule.name,
        "enabled": "1" if rule.enabled else "",
        "stop_after": "1" if rule.stop_after else "",
        "trigger": str(trigger.get("type", "")),
        "detail": str(trigger.get("keyword") or trigger.get("which") or ""),
        "match": str(trigger.get("match") or ""),
        "actions": str(len(rule.actions)),
    }


def rule_form(scope: TenantScope, user: CurrentUser, rule_id: int) -> dict[str, Any]:
    """One rule as the builder edits it (another tenant's id: NotFound)."""
    service.require_manager(user)
    rule = scope.get(AutomationRule, rule_id)
    condition = rule.conditions[0]["type"] if rule.conditions else ""
    return {
        "id": str(rule.id),
        "name": rule.name,
        "trigger": dict(rule.trigger),
        "condition": condition,
        "enabled": rule.enabled,
        "stop_after": rule.stop_after,
        "actions": [
            {
                "type": str(a.get("type", "")),
                "message": str(a.get("message", "")),
                "tag": str(a.get("tag", "")),
                "department_id": str(a.get("department_id", "")),
            }
            for a in rule.actions
        ],
    }


def departments(scope: TenantScope) -> list[dict[str, str]]:
    return [{"id": str(d.id), "label": d.name} for d in list_departments(scope)]


def conversations(scope: TenantScope) -> list[dict[str, str]]:
    """Recent conversations to try a dry run on, labelled by the contact."""
    query = (
        scope.select(Conversation)
        .order_by(col(Conversation.last_message_at).desc())
        .limit(CONVERSATION_CHOICES)
    )
    rows = scope.session.exec(query).all()
    names = _contact_names(scope, [c.contact_id for c in rows])
    return [{"id": str(c.id), "label": names.get(c.contact_id, f"#{c.id}")} for c in rows]


def _contact_names(scope: TenantScope, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    contacts = scope.all(Contact, col(Contact.id).in_(ids))
    return {c.id or 0: c.display_name for c in contacts}


def run_rows(
    scope: TenantScope, user: CurrentUser, rule_id: int | None, conversation_id: int | None
) -> list[dict[str, Any]]:
    found = service.run_log(scope, user, rule_id=rule_id, conversation_id=conversation_id)
    return [_run_row(r) for r in found]


def _run_row(run: AutomationRun) -> dict[str, Any]:
    results = [
        f"{r.get('type')}: {'ok' if r.get('ok') else 'error'} {r.get('detail') or ''}".strip()
        for r in run.results
    ]
    return {
        "id": str(run.id),
        "at": run.created_at,
        "rule": run.rule_name or "",
        "conversation_id": str(run.conversation_id or ""),
        "message_id": str(run.message_id or ""),
        "event": run.event,
        "status": run.status,
        "results": "; ".join(results),
        "error": run.error or "",
    }


def hours_form(scope: TenantScope) -> dict[str, str]:
    settings = settings_for(scope)
    form = {
        "timezone": settings.timezone,
        "holidays": "\n".join(settings.holidays),
        "ooh_enabled": "1" if settings.out_of_hours_enabled else "",
        "ooh_message": settings.out_of_hours_message,
        "pause_minutes": str(settings.pause_minutes),
        "hourly_cap": str(settings.hourly_cap),
        "grace": str(settings.agent_grace_minutes),
    }
    for day in range(7):
        pair = settings.weekly_hours.get(str(day)) or ["", ""]
        form[f"open_{day}"], form[f"close_{day}"] = pair[0], pair[1]
    return form
