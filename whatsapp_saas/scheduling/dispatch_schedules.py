"""Due scheduled messages become queued outbound messages, each exactly once.

The claim (a compare-and-set on ``status`` and ``due_at``) and the message are written in one
transaction: a crash commits both or neither, and a second scheduler's claim matches no row.
A schedule claimed more than ``late_after`` after its time (every scheduler was down) is
still sent, once, and marked ``late``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.inbox.models import Conversation, SentBy
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.scheduling.claiming import compare_and_set, due_rows, run_each
from whatsapp_saas.scheduling.models import ScheduledMessage, ScheduleStatus
from whatsapp_saas.scheduling.outbound import conversation_for, queue_outbound
from whatsapp_saas.scheduling.recurrence import next_occurrence
from whatsapp_saas.scheduling.schedules import media_of
from whatsapp_saas.tenancy.scope import TenantScope

SCHEDULES: sa.Table = ScheduledMessage.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Fired:
    schedule_id: int
    message_id: int
    late_seconds: float
    late: bool


def fire_due_schedules(
    session: Session, *, now: datetime, late_after: float, limit: int = 100
) -> list[Fired]:
    """Claim and enqueue up to ``limit`` due schedules, in the caller's transaction."""

    def work(scope: TenantScope, schedule_id: int) -> Fired | None:
        return _fire(scope, schedule_id, now, late_after)

    rows = due_rows(session, table=SCHEDULES, now=now, limit=limit)
    return run_each(session, rows=rows, work=work, on_failure=_record_failure)


def _fire(scope: TenantScope, schedule_id: int, now: datetime, late_after: float) -> Fired | None:
    row = scope.get(ScheduledMessage, schedule_id)
    due = as_utc(row.due_at)
    if row.status != ScheduleStatus.PENDING.value or due > now:
        return None
    late_seconds = max((now - due).total_seconds(), 0.0)
    late = late_seconds > late_after
    values: dict[str, object] = {
        "claimed_at": now,
        "late_seconds": late_seconds,
        "last_run_late": late,
        "sent_count": row.sent_count + 1,
        "updated_at": now,
    }
    following = next_occurrence(row.anchor_local, row.timezone, row.recurrence, row.occurrence, now)
    if following is None:
        values["status"] = (ScheduleStatus.LATE if late else ScheduleStatus.SENT).value
    else:
        values["occurrence"], values["due_at"] = following
    expected = {"status": ScheduleStatus.PENDING.value, "due_at": row.due_at}
    if not compare_and_set(
        scope.session, table=SCHEDULES, row_id=schedule_id, expected=expected, values=values
    ):
        return None  # edited, cancelled or claimed by someone else since we read it
    conversation = _conversation(scope, row)
    message = queue_outbound(
        scope,
        conversation=conversation,
        text=row.text,
        media=media_of(row),
        sent_by=SentBy.SCHEDULE,
        author_user_id=row.created_by_user_id,
    )
    assert message.id is not None
    scope.session.execute(
        sa.update(SCHEDULES)
        .where(SCHEDULES.c.id == schedule_id)
        .values(message_id=message.id, conversation_id=conversation.id)
    )
    scope.session.expire(row)
    return Fired(schedule_id, message.id, late_seconds, late)


def _conversation(scope: TenantScope, row: ScheduledMessage) -> Conversation:
    if row.conversation_id is not None:
        found = scope.first(Conversation, Conversation.id == row.conversation_id)
        if found is not None and found.number_id == row.number_id:
            return found
    return conversation_for(scope, number_id=row.number_id, contact_id=row.contact_id)


def _record_failure(scope: TenantScope, schedule_id: int, reason: str) -> None:
    """A schedule that can never be sent (no WhatsApp id, bad media): failed, with the reason."""
    scope.session.execute(
        sa.update(SCHEDULES)
        .where(SCHEDULES.c.id == schedule_id, SCHEDULES.c.tenant_id == scope.tenant_id)
        .where(SCHEDULES.c.status == ScheduleStatus.PENDING.value)
        .values(
            status=ScheduleStatus.FAILED.value, failure_reason=reason[:500], updated_at=utcnow()
        )
    )
