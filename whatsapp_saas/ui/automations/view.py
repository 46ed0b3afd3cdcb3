"""Rows for the Automations page: plain dicts of strings, read through the services."""

from __future__ import annotations

from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.preferences import tenant_timezone
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import hook_service, service
from whatsapp_saas.automations.menu_service import list_menus
from whatsapp_saas.automations.models import AutomationRule, AutomationRun
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.segments import list_segments
from whatsapp_saas.deals.pipelines import list_pipelines, stages_of
from whatsapp_saas.inbox.departments import list_departments
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.phones import for_people
from whatsapp_saas.scheduling.followups import list_rules as list_follow_up_rules
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.automations.forms import action_row, condition_rows, until_for_input
from whatsapp_saas.whatsapp.models import WhatsAppNumber

CONVERSATION_CHOICES = 50


def rule_rows(scope: TenantScope, user: CurrentUser) -> list[dict[str, str]]:
    return [_rule_row(r) for r in service.list_rules(scope, actor=user)]


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
        "outcome": str(trigger.get("outcome") or ""),  # a deal rule's Won/Lost filter
        "actions": str(len(rule.actions)),
    }


def rule_form(scope: TenantScope, user: CurrentUser, rule_id: int) -> dict[str, Any]:
    """One rule as the builder edits it (another tenant's id: NotFound)."""
    service.require_manager(user)
    rule = scope.get(AutomationRule, rule_id)
    rest = list(rule.conditions)
    condition = ""
    if rest and rest[0].get("type") in ("inside_hours", "outside_hours"):
        condition = str(rest.pop(0)["type"])  # the "When" select
    cond_rows, cond_join, group_join = condition_rows(rest)
    actions = [action_row(a) for a in rule.actions]
    zone = tenant_timezone(scope)
    for row in actions:
        if row["until"]:  # shown as the company's wall-clock time
            row["until"] = until_for_input(row["until"], zone)
    return {
        "id": str(rule.id),
        "name": rule.name,
        "trigger": dict(rule.trigger),
        "condition": condition,
        "cond_rows": cond_rows,
        "cond_join": cond_join,
        "group_join": group_join,
        "enabled": rule.enabled,
        "stop_after": rule.stop_after,
        "actions": actions,
        "hook": hook_service.hook_of(scope, actor=user, rule_id=rule_id),
    }


def builder_choices(scope: TenantScope, user: CurrentUser) -> tuple[list[dict[str, str]], ...]:
    """Pipelines, stages ("Pipeline / Stage"), follow-up rules and segments for the
    builder's selects."""
    pipelines, stages = [], []
    for pipeline in list_pipelines(scope):
        pipelines.append({"id": str(pipeline.id), "label": pipeline.name})
        for stage in stages_of(scope, pipeline_id=pipeline.id or 0):
            stages.append({"id": str(stage.id), "label": f"{pipeline.name} / {stage.name}"})
    follow_ups = [{"id": str(r.id), "label": r.name} for r in list_follow_up_rules(scope)]
    segments = [{"id": str(s.id), "label": s.name} for s in list_segments(scope, actor=user)]
    return pipelines, stages, follow_ups, segments


def menu_choices(scope: TenantScope, user: CurrentUser) -> list[dict[str, str]]:
    """The tenant's menus for the "Send menu" action; disabled ones are listed too (and
    marked by the page), so a rule that names one still shows it when edited."""
    return [
        {"id": str(m.id), "label": m.name, "enabled": "1" if m.enabled else ""}
        for m in list_menus(scope, actor=user)
    ]


def numbers(scope: TenantScope) -> list[dict[str, str]]:
    """The tenant's WhatsApp numbers, for the "Webhook received" trigger's number."""
    rows = scope.session.exec(scope.select(WhatsAppNumber).order_by(col(WhatsAppNumber.id))).all()
    return [
        {"id": str(n.id), "label": f"{n.name} ({for_people(n.phone)})" if n.phone else n.name}
        for n in rows
    ]


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
    found = service.run_log(scope, actor=user, rule_id=rule_id, conversation_id=conversation_id)
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
        # The Safety card (the bot guard), shown as people read phones.
        "bot_ignore": "\n".join(for_people(p) for p in settings.bot_ignore_phones or []),
        "bot_per_minute": str(settings.bot_max_per_minute),
    }
    for day in range(7):
        pair = settings.weekly_hours.get(str(day)) or ["", ""]
        form[f"open_{day}"], form[f"close_{day}"] = pair[0], pair[1]
    return form
