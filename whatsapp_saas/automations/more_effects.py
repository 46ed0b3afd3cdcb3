"""The newer actions' effects: fields, deals, agents, follow-ups, snooze, webhooks (the
AI hand-over is in :mod:`~whatsapp_saas.automations.effects`, beside the human one).

Each goes through the owning package's service (crm.profile validates a field with
crm.fields, deals.service moves a deal and records DealStageChanged, scheduling.followups
starts a follow-up), acting as :func:`~whatsapp_saas.automations.actor.system_actor`. A
foreign id raises NotFound, which the engine logs in the run and undoes (a savepoint).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import col

from whatsapp_saas.automations import jobs
from whatsapp_saas.automations.actor import system_actor
from whatsapp_saas.automations.assign import pick_agent
from whatsapp_saas.automations.owner import Owner, set_owner
from whatsapp_saas.crm.profile import update_profile
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.deals.models import Deal, Stage
from whatsapp_saas.deals.service import create_deal, move_deal
from whatsapp_saas.deals.validation import DealValues
from whatsapp_saas.inbox.conversation_rows import conversation_event
from whatsapp_saas.inbox.events import ConversationChange
from whatsapp_saas.inbox.models import ConversationStatus, Department
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.scheduling.followups import cancel_follow_ups, start_follow_up
from whatsapp_saas.scheduling.models import CancelReason
from whatsapp_saas.tenancy.scope import TenantScope

if TYPE_CHECKING:
    from whatsapp_saas.automations.effects import Target

ACTION_UNSNOOZE = "unsnooze"  # internal: the snooze's wake-up job


def _set_field(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    """Through crm.profile: validated by crm.fields (FieldErrors name the bad key)."""
    value = action["value"] or None
    update_profile(
        scope,
        actor=system_actor(scope),
        contact_id=target.contact.id or 0,
        changes={"fields": {action["key"]: value}},
    )
    return f"{action['key']}={action['value']}"


def _create_deal(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    conversation = target.conversation
    title = action.get("title") or target.contact.display_name
    values = DealValues(
        title=title[:200],
        contact_id=target.contact.id or 0,
        stage_id=int(action["stage_id"]),
        conversation_id=conversation.id,
    )
    deal = create_deal(scope, actor=system_actor(scope), values=values)
    return f"deal #{deal.id}"


def _move_deal(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    """Move the contact's newest deal in that stage's pipeline (none: nothing to move)."""
    stage = scope.get(Stage, int(action["stage_id"]))
    deal = scope.session.exec(
        scope.select(Deal)
        .where(
            col(Deal.contact_id) == target.contact.id, col(Deal.pipeline_id) == stage.pipeline_id
        )
        .order_by(col(Deal.id).desc())
        .limit(1)
    ).first()
    if deal is None or deal.id is None:
        return "no deal"
    moved = move_deal(scope, actor=system_actor(scope), deal_id=deal.id, stage_id=stage.id or 0)
    return f"deal #{deal.id} {'moved' if moved else '(already there)'}"


def _assign_agent(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    department = scope.get(Department, int(action["department_id"]))
    agent = pick_agent(
        scope,
        department_id=department.id or 0,
        strategy=str(action.get("strategy") or "round_robin"),
    )
    conversation = target.conversation
    conversation.department_id = department.id
    if agent is not None:
        conversation.assignee_id = agent
    _changed(scope, conversation, ConversationChange.ASSIGNED)
    set_owner(scope, conversation_id=conversation.id or 0, kind=Owner.HUMAN.value)
    return f"user #{agent}" if agent is not None else f"{department.name} (no member)"


def _start_follow_up(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    row = start_follow_up(
        scope,
        actor=None,
        conversation_id=target.conversation.id or 0,
        rule_id=int(action["follow_up_rule_id"]),
    )
    return f"follow-up #{row.id}"


def _stop_follow_up(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    stopped = cancel_follow_ups(
        scope, conversation_id=target.conversation.id or 0, reason=CancelReason.MANUAL
    )
    return f"stopped {stopped}"


def _snooze(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    """Pending until the time; a durable job reopens it (unless someone did already)."""
    now = utcnow()
    if action.get("until"):
        until = as_utc(datetime.fromisoformat(str(action["until"])))
    else:
        until = now + timedelta(minutes=int(action["minutes"]))
    conversation = target.conversation
    conversation.status = ConversationStatus.PENDING.value
    _changed(scope, conversation, ConversationChange.STATUS)
    jobs.schedule(
        scope,
        key=f"snooze:{target.key or conversation.id}:{until.isoformat()}",
        kind=jobs.KIND_ACTION,
        action={"type": ACTION_UNSNOOZE},
        due_at=until,
        conversation_id=conversation.id,
        rule_name=target.rule_name,
    )
    return f"until {until.isoformat()}"


def _unsnooze(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    conversation = target.conversation
    if conversation.status != ConversationStatus.PENDING.value:
        return "not snoozed"
    conversation.status = ConversationStatus.OPEN.value
    _changed(scope, conversation, ConversationChange.STATUS)
    return "reopened"


def _webhook(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    """A durable row the scheduler posts (signed, retried); nothing leaves this transaction."""
    job = jobs.schedule(
        scope,
        key=f"hook:{target.key or utcnow().isoformat()}",
        kind=jobs.KIND_WEBHOOK,
        # The reference to the sealed secret, never the secret (rules saved before sealing
        # still carry it in the action; webhook_secrets.secret_of reads either).
        action={k: action[k] for k in ("url", "secret_ref", "secret") if k in action},
        due_at=utcnow(),
        conversation_id=target.conversation.id,
        rule_name=target.rule_name,
    )
    return f"webhook job #{job.id}" if job is not None else "webhook (already queued)"


def _changed(scope: TenantScope, conversation: Any, change: str) -> None:
    scope.session.add(conversation)
    scope.session.flush()
    announce_after_commit(scope.session, conversation_event(conversation, change))


HANDLERS: dict[str, Callable[[TenantScope, Target, dict[str, Any]], str]] = {
    "set_field": _set_field,
    "create_deal": _create_deal,
    "move_deal": _move_deal,
    "assign_agent": _assign_agent,
    "start_follow_up": _start_follow_up,
    "stop_follow_up": _stop_follow_up,
    "snooze": _snooze,
    ACTION_UNSNOOZE: _unsnooze,
    "webhook": _webhook,
}
