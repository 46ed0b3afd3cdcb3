"""Scheduling's part of a contact merge, as a durable subscriber of ``ContactsMerged``.

The contacts package only moves contact rows (and the inbox its conversations, in the merge's
transaction). Scheduling's rows still point at the merged contact; this moves them once the
merge has committed. Being durable, a crash in between only delays it, and every step is
idempotent: a second run of the same event finds nothing left to move.

- Opt-outs: the strictest wins. The merged contact's log moves to the survivor, so an active
  opt-out of either keeps the survivor opted out with its original time, source and keyword.
  When both were active the survivor keeps its own (at most one active entry per contact) and
  the merged contact keeps its entry. A survivor that becomes opted out stops its bulk at once
  (running follow-ups, queued campaign and follow-up messages), as a keyword would.
- Scheduled messages move to the survivor; a pending one that repeats a pending schedule of
  the survivor (same number, time, recurrence and content) is cancelled, not sent twice.
- Campaign recipients move to the survivor; a campaign that already has the survivor keeps one
  of the two (the survivor's), the other still pending is cancelled with a reason.
- Follow-ups (and a schedule's conversation) belong to conversations: the inbox already moved
  them in the merge's transaction. When it folds a conversation into the survivor's, it
  re-points them to the kept one before deleting the folded row
  (``inbox/conversation_refs.py``); only a pending follow-up that would be the kept
  conversation's second goes with the folded row (the kept thread's own one goes on).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.contacts.events import ContactsMerged
from whatsapp_saas.events.subscriber import Delivery, Subscriber
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.campaign_models import CampaignRecipient, RecipientStatus
from whatsapp_saas.scheduling.followups import cancel_follow_ups_of
from whatsapp_saas.scheduling.models import (
    CancelReason,
    ContactOptOut,
    ScheduledMessage,
    ScheduleStatus,
)
from whatsapp_saas.scheduling.optout import is_opted_out
from whatsapp_saas.scheduling.optout_effects import withdraw_queued
from whatsapp_saas.tenancy.scope import TenantScope

NAME = "scheduling.merges"
DUPLICATE_REASON = "duplicate of the merged contact"
OPT_OUTS: sa.Table = ContactOptOut.__table__  # type: ignore[attr-defined]
SCHEDULES: sa.Table = ScheduledMessage.__table__  # type: ignore[attr-defined]
RECIPIENTS: sa.Table = CampaignRecipient.__table__  # type: ignore[attr-defined]
CONVERSATIONS: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
# What makes two schedules the same message (the merged contact's copy of the survivor's).
SAME_SCHEDULE = ("number_id", "due_at", "recurrence", "text", "media_storage_key")


def subscriber() -> Subscriber:
    return Subscriber(NAME, (ContactsMerged,), handle, batch_size=50)


def handle(session: Session, deliveries: list[Delivery]) -> None:
    """Each merge in order: a later merge may fold the survivor of an earlier one."""
    for delivery in deliveries:
        event: ContactsMerged = delivery.event
        scope = TenantScope(session, delivery.tenant_id)
        contacts_merged(scope, survivor_id=event.survivor_id, merged_id=event.merged_id)


def contacts_merged(scope: TenantScope, *, survivor_id: int, merged_id: int) -> None:
    carry_opt_outs(scope, survivor_id=survivor_id, merged_id=merged_id)
    move_schedules(scope, survivor_id=survivor_id, merged_id=merged_id)
    move_recipients(scope, survivor_id=survivor_id, merged_id=merged_id)


def carry_opt_outs(scope: TenantScope, *, survivor_id: int, merged_id: int) -> None:
    was_out = is_opted_out(scope, contact_id=survivor_id)
    t, tenant = OPT_OUTS, scope.tenant_id
    moving = sa.update(t).where(t.c.tenant_id == tenant, t.c.contact_id == merged_id)
    if was_out:  # the survivor's own active entry stays the one active entry
        moving = moving.where(t.c.revoked_at.is_not(None))
    scope.session.execute(moving.values(contact_id=survivor_id))
    if not was_out and is_opted_out(scope, contact_id=survivor_id):
        _stop_bulk(scope, survivor_id)


def _stop_bulk(scope: TenantScope, contact_id: int) -> None:
    """What an opt-out does at once (see :mod:`.optout_effects`), for the survivor."""
    c = CONVERSATIONS
    ids = scope.session.execute(
        sa.select(c.c.id).where(c.c.tenant_id == scope.tenant_id, c.c.contact_id == contact_id)
    ).scalars()
    cancel_follow_ups_of(
        scope, conversation_ids=[int(i) for i in ids], reason=CancelReason.OPTED_OUT
    )
    withdraw_queued(scope, contact_id=contact_id)


def move_schedules(scope: TenantScope, *, survivor_id: int, merged_id: int) -> None:
    t, tenant = SCHEDULES, scope.tenant_id
    pending = ScheduleStatus.PENDING.value
    theirs = t.alias("theirs")
    duplicate = sa.exists().where(
        theirs.c.tenant_id == tenant,
        theirs.c.contact_id == survivor_id,
        theirs.c.status == pending,
        *[theirs.c[name].is_not_distinct_from(t.c[name]) for name in SAME_SCHEDULE],
    )
    scope.session.execute(
        sa.update(t)
        .where(t.c.tenant_id == tenant, t.c.contact_id == merged_id, t.c.status == pending)
        .where(duplicate)
        .values(status=ScheduleStatus.CANCELLED.value, cancelled_at=utcnow(), updated_at=utcnow())
    )
    scope.session.execute(
        sa.update(t)
        .where(t.c.tenant_id == tenant, t.c.contact_id == merged_id)
        .values(contact_id=survivor_id, updated_at=utcnow())
    )


def move_recipients(scope: TenantScope, *, survivor_id: int, merged_id: int) -> None:
    t, tenant = RECIPIENTS, scope.tenant_id
    theirs = t.alias("theirs")
    in_same_campaign = sa.exists().where(
        theirs.c.tenant_id == tenant,
        theirs.c.campaign_id == t.c.campaign_id,
        theirs.c.contact_id == survivor_id,
    )
    scope.session.execute(
        sa.update(t)
        .where(t.c.tenant_id == tenant, t.c.contact_id == merged_id)
        .where(t.c.status == RecipientStatus.PENDING.value, in_same_campaign)
        .values(status=RecipientStatus.CANCELLED.value, reason=DUPLICATE_REASON)
    )
    scope.session.execute(
        sa.update(t)
        .where(t.c.tenant_id == tenant, t.c.contact_id == merged_id)
        .values(contact_id=survivor_id)
    )
