"""Due follow-up steps become queued messages, unless the customer answered meanwhile.

The cancel hooks act the moment a reply or a resolve is committed; this module checks the
conversation again before each send (the database is the truth, a hook may have been lost in
a crash), and waits for business hours when the follow-up asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.inbox.models import Conversation, ConversationStatus, SentBy
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.scheduling.claiming import compare_and_set, due_rows, run_each
from whatsapp_saas.scheduling.followups import step_due
from whatsapp_saas.scheduling.models import CancelReason, FollowUp, FollowUpStatus
from whatsapp_saas.scheduling.optout import is_opted_out
from whatsapp_saas.scheduling.outbound import queue_outbound
from whatsapp_saas.scheduling.preferences import load_preferences
from whatsapp_saas.tenancy.scope import TenantScope

FOLLOW_UPS: sa.Table = FollowUp.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StepSent:
    follow_up_id: int
    step: int
    message_id: int


def fire_due_follow_ups(session: Session, *, now: datetime, limit: int = 100) -> list[StepSent]:
    def work(scope: TenantScope, follow_up_id: int) -> StepSent | None:
        return _fire(scope, follow_up_id, now)

    return run_each(
        session,
        rows=due_rows(session, table=FOLLOW_UPS, now=now, limit=limit),
        work=work,
        on_failure=_record_failure,
    )


def stop_reason(
    scope: TenantScope, *, follow_up: FollowUp, conversation: Conversation
) -> str | None:
    """Why this follow-up must not send any more, or None."""
    created = as_utc(follow_up.created_at)
    if conversation.status == ConversationStatus.RESOLVED.value or (
        conversation.resolved_at is not None and as_utc(conversation.resolved_at) > created
    ):
        return CancelReason.RESOLVED.value
    inbound = conversation.last_inbound_at
    if inbound is not None and as_utc(inbound) > as_utc(follow_up.anchor_at):
        return CancelReason.CUSTOMER_REPLIED.value
    if is_opted_out(scope, contact_id=conversation.contact_id):
        return CancelReason.OPTED_OUT.value
    return None


def _fire(scope: TenantScope, follow_up_id: int, now: datetime) -> StepSent | None:
    row = scope.get(FollowUp, follow_up_id)
    if row.status != FollowUpStatus.PENDING.value or as_utc(row.due_at) > now:
        return None
    expected = {"status": FollowUpStatus.PENDING.value, "step": row.step, "due_at": row.due_at}
    conversation = scope.get(Conversation, row.conversation_id)
    reason = stop_reason(scope, follow_up=row, conversation=conversation)
    if reason is not None:
        values = {"status": FollowUpStatus.CANCELLED.value, "cancel_reason": reason}
        compare_and_set(
            scope.session,
            table=FOLLOW_UPS,
            row_id=follow_up_id,
            expected=expected,
            values=_stamp(values, now),
        )
        return None
    hours = load_preferences(scope).business_hours
    if row.business_hours_only and not hours.is_open(now):
        later = {"due_at": hours.next_open(now)}
        compare_and_set(
            scope.session,
            table=FOLLOW_UPS,
            row_id=follow_up_id,
            expected=expected,
            values=_stamp(later, now),
        )
        return None
    step = row.step
    advanced = _advance(scope, row, now)
    if not compare_and_set(
        scope.session, table=FOLLOW_UPS, row_id=follow_up_id, expected=expected, values=advanced
    ):
        return None
    message = queue_outbound(
        scope, conversation=conversation, text=str(row.steps[step]["text"]), sent_by=SentBy.SCHEDULE
    )
    assert message.id is not None
    scope.session.execute(
        sa.update(FOLLOW_UPS).where(FOLLOW_UPS.c.id == follow_up_id).values(message_id=message.id)
    )
    scope.session.expire(row)
    return StepSent(follow_up_id, step, message.id)


def _advance(scope: TenantScope, row: FollowUp, now: datetime) -> dict[str, object]:
    """The row after this step: the next step's due time counts from now, or done."""
    values: dict[str, object] = {"step": row.step + 1, "anchor_at": now}
    if row.step + 1 >= len(row.steps):
        values["status"] = FollowUpStatus.DONE.value
    else:
        values["due_at"] = step_due(scope, follow_up=row, after=now, step=row.step + 1)
    return _stamp(values, now)


def _stamp(values: Mapping[str, object], now: datetime) -> dict[str, object]:
    return {**values, "updated_at": now}


def _record_failure(scope: TenantScope, follow_up_id: int, reason: str) -> None:
    scope.session.execute(
        sa.update(FOLLOW_UPS)
        .where(FOLLOW_UPS.c.id == follow_up_id, FOLLOW_UPS.c.tenant_id == scope.tenant_id)
        .where(FOLLOW_UPS.c.status == FollowUpStatus.PENDING.value)
        .values(
            status=FollowUpStatus.FAILED.value, failure_reason=reason[:500], updated_at=utcnow()
        )
    )
