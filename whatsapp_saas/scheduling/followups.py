"""Follow-ups: "if the customer has not replied X hours after our last message, send Y".

A rule has up to :data:`MAX_STEPS` steps; each step's delay counts from our previous message
(the attendant's, or the previous step's). A running follow-up is cancelled the moment the
customer replies or the conversation is resolved (see :mod:`.handlers`), and the dispatcher checks
both again right before each send, so a lost hook never lets a follow-up through.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.access import get_conversation, visible_to
from whatsapp_saas.inbox.models import Conversation, Direction, Message
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.scheduling.models import CancelReason, FollowUp, FollowUpRule, FollowUpStatus
from whatsapp_saas.scheduling.optout import is_opted_out
from whatsapp_saas.scheduling.preferences import load_preferences
from whatsapp_saas.tenancy.scope import TenantScope

MAX_STEPS = 5
MAX_DELAY_HOURS = 24 * 30
TEXT_MAX = 4096
FOLLOW_UPS: sa.Table = FollowUp.__table__  # type: ignore[attr-defined]


def check_steps(steps: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{"delay_hours": float, "text": str}], 1 to MAX_STEPS of them, each sensible."""
    if not steps:
        raise UserError("error.sched_followup_no_steps")
    if len(steps) > MAX_STEPS:
        raise UserError("error.sched_followup_too_many_steps", limit=MAX_STEPS)
    cleaned = []
    for step in steps:
        try:
            delay = float(step.get("delay_hours", 0))
        except (TypeError, ValueError) as exc:
            raise UserError("error.sched_followup_delay_invalid") from exc
        text = str(step.get("text") or "").strip()
        if not 0 < delay <= MAX_DELAY_HOURS:
            raise UserError("error.sched_followup_delay_invalid")
        if not text or len(text) > TEXT_MAX:
            raise UserError("error.sched_followup_text_invalid", limit=TEXT_MAX)
        cleaned.append({"delay_hours": delay, "text": text})
    return cleaned


def save_rule(
    scope: TenantScope,
    *,
    name: str,
    steps: Sequence[dict[str, Any]],
    business_hours_only: bool = True,
    rule_id: int | None = None,
) -> FollowUpRule:
    """Create a rule, or replace one (running follow-ups keep the steps they started with)."""
    cleaned_name = " ".join(name.split())[:120]
    if not cleaned_name:
        raise UserError("error.name_required")
    if rule_id is not None:
        rule = scope.get(FollowUpRule, rule_id)
    else:
        rule = FollowUpRule(tenant_id=scope.tenant_id, name=cleaned_name)
    rule.name, rule.steps = cleaned_name, check_steps(steps)
    rule.business_hours_only = business_hours_only
    scope.add(rule)
    scope.session.flush()
    return rule


def list_rules(scope: TenantScope) -> Sequence[FollowUpRule]:
    return scope.session.exec(scope.select(FollowUpRule).order_by(col(FollowUpRule.name))).all()


def start_follow_up(
    scope: TenantScope,
    *,
    actor: CurrentUser | None,
    conversation_id: int,
    rule_id: int | None = None,
    steps: Sequence[dict[str, Any]] | None = None,
    business_hours_only: bool = True,
    now: datetime | None = None,
) -> FollowUp:
    """Start a follow-up on a conversation (replacing a running one) from a rule or steps."""
    conversation = _conversation(scope, actor, conversation_id)
    if is_opted_out(scope, contact_id=conversation.contact_id):
        raise UserError("error.sched_followup_opted_out")
    if rule_id is not None:
        rule = scope.get(FollowUpRule, rule_id)
        steps, business_hours_only = rule.steps, rule.business_hours_only
    cleaned = check_steps(steps or [])
    cancel_follow_ups(scope, conversation_id=conversation_id, reason=CancelReason.REPLACED)
    anchor = _anchor(scope, conversation, now or utcnow())
    row = FollowUp(
        tenant_id=scope.tenant_id,
        conversation_id=conversation_id,
        rule_id=rule_id,
        steps=cleaned,
        business_hours_only=business_hours_only,
        anchor_at=anchor,
        due_at=anchor,
        created_by_user_id=actor.user_id if actor else None,
    )
    row.due_at = step_due(scope, follow_up=row, after=anchor)
    scope.add(row)
    scope.session.flush()
    return row


def step_due(
    scope: TenantScope, *, follow_up: FollowUp, after: datetime, step: int | None = None
) -> datetime:
    """When ``step`` (default: the current one) is due if our last message went out at
    ``after``."""
    index = follow_up.step if step is None else step
    due = after + timedelta(hours=float(follow_up.steps[index]["delay_hours"]))
    if follow_up.business_hours_only:
        due = load_preferences(scope).business_hours.next_open(due)
    return due


def cancel_follow_ups(scope: TenantScope, *, conversation_id: int, reason: str) -> int:
    """Cancel the conversation's running follow-up; returns how many rows changed (0 or 1)."""
    t = FOLLOW_UPS
    stmt = (
        sa.update(t)
        .where(t.c.tenant_id == scope.tenant_id, t.c.conversation_id == conversation_id)
        .where(t.c.status == FollowUpStatus.PENDING.value)
        .values(status=FollowUpStatus.CANCELLED.value, cancel_reason=reason, updated_at=utcnow())
    )
    return int(scope.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def cancel_follow_ups_of(
    scope: TenantScope, *, conversation_ids: Collection[int], reason: str
) -> int:
    """The same for many conversations in one statement (a batch of inbound messages)."""
    if not conversation_ids:
        return 0
    t = FOLLOW_UPS
    stmt = (
        sa.update(t)
        .where(t.c.tenant_id == scope.tenant_id, t.c.conversation_id.in_(list(conversation_ids)))
        .where(t.c.status == FollowUpStatus.PENDING.value)
        .values(status=FollowUpStatus.CANCELLED.value, cancel_reason=reason, updated_at=utcnow())
    )
    return int(scope.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def cancel_follow_up(scope: TenantScope, *, actor: CurrentUser | None, follow_up_id: int) -> None:
    row = scope.get(FollowUp, follow_up_id)
    _conversation(scope, actor, row.conversation_id)
    cancel_follow_ups(scope, conversation_id=row.conversation_id, reason=CancelReason.MANUAL)


def rebase_follow_up(scope: TenantScope, *, conversation_id: int, at: datetime) -> bool:
    """We wrote again: the running step's clock restarts from ``at``."""
    row = scope.first(
        FollowUp,
        FollowUp.conversation_id == conversation_id,
        FollowUp.status == FollowUpStatus.PENDING.value,
    )
    if row is None or as_utc(row.anchor_at) >= at:
        return False
    row.anchor_at, row.due_at, row.updated_at = (
        at,
        step_due(scope, follow_up=row, after=at),
        utcnow(),
    )
    scope.session.add(row)
    return True


def list_follow_ups(
    scope: TenantScope,
    *,
    actor: CurrentUser | None,
    conversation_id: int | None = None,
    pending_only: bool = True,
) -> Sequence[FollowUp]:
    """Follow-ups of the conversations ``actor`` may see (None: the system, all of them)."""
    query = scope.select(FollowUp).order_by(col(FollowUp.due_at))
    if actor is not None:
        visible = select(Conversation.id).where(
            Conversation.tenant_id == scope.tenant_id, visible_to(scope, actor=actor)
        )
        query = query.where(col(FollowUp.conversation_id).in_(visible))
    if conversation_id is not None:
        query = query.where(FollowUp.conversation_id == conversation_id)
    if pending_only:
        query = query.where(FollowUp.status == FollowUpStatus.PENDING.value)
    return scope.session.exec(query.limit(500)).all()


def _conversation(
    scope: TenantScope, actor: CurrentUser | None, conversation_id: int
) -> Conversation:
    if actor is None:  # the system (automations) acting on the tenant's behalf
        return scope.get(Conversation, conversation_id)
    return get_conversation(scope, actor=actor, conversation_id=conversation_id)


def _anchor(scope: TenantScope, conversation: Conversation, now: datetime) -> datetime:
    """Our last message, if the customer has not answered it since; otherwise now."""
    # The newest by id walks ix_messages_conversation_id_id backwards and stops at the first
    # match; max(created_at) made PostgreSQL scan every message of the tenant (its tenant_id
    # index) on each inbound message, a cost that grew with the tenant's history.
    last_out = scope.session.exec(
        select(Message.created_at)
        .where(
            Message.tenant_id == scope.tenant_id,
            Message.conversation_id == conversation.id,
            Message.direction == Direction.OUT.value,
            col(Message.is_internal_note).is_(False),
        )
        .order_by(col(Message.id).desc())
        .limit(1)
    ).first()
    if last_out is None:
        return now
    last_out = as_utc(last_out)
    replied = conversation.last_inbound_at and as_utc(conversation.last_inbound_at) > last_out
    return now if replied else min(last_out, now)
