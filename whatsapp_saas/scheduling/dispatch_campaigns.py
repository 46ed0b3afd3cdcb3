"""Running campaigns, paced: a modest batch per pass, never far ahead of the sender.

The delivery governor enforces each number's rate; this module only keeps the outbox from
filling up (at most ``max_in_flight`` unsent messages per campaign), waits out the tenant's
quiet hours, and skips opted-out contacts. The campaign row is locked for the pass, so a
cancel waits for the batch and then fails whatever the batch queued.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.inbox.models import Message, MessageStatus, SentBy
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.campaign_models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from whatsapp_saas.scheduling.claiming import compare_and_set, lock_skipping, run_each
from whatsapp_saas.scheduling.optout import is_opted_out
from whatsapp_saas.scheduling.outbound import conversation_for, queue_outbound
from whatsapp_saas.scheduling.preferences import load_preferences
from whatsapp_saas.scheduling.templates import choose_variant, render
from whatsapp_saas.tenancy.scope import TenantScope

CAMPAIGNS: sa.Table = Campaign.__table__  # type: ignore[attr-defined]
RECIPIENTS: sa.Table = CampaignRecipient.__table__  # type: ignore[attr-defined]
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]
UNSENT = (MessageStatus.QUEUED.value, MessageStatus.SENDING.value)


def running_campaigns(session: Session) -> list[tuple[int, int]]:
    query = sa.select(CAMPAIGNS.c.id, CAMPAIGNS.c.tenant_id).where(
        CAMPAIGNS.c.status == CampaignStatus.RUNNING.value
    )
    return [(int(c), int(t)) for c, t in session.execute(query.order_by(CAMPAIGNS.c.id)).all()]


def advance_campaign(session: Session, *, tenant_id: int, campaign_id: int, now: datetime) -> int:
    """One pass over one campaign, in the caller's transaction; returns messages queued."""
    scope = TenantScope(session, tenant_id)
    campaign = scope.get(Campaign, campaign_id, for_update=True)
    if campaign.status != CampaignStatus.RUNNING.value:
        return 0
    if load_preferences(scope).quiet_hours.is_quiet(now):
        return 0
    room = min(campaign.batch_size, campaign.max_in_flight - _in_flight(session, campaign_id))
    if room <= 0:
        return 0
    batch = _pending(session, campaign_id, room)
    if not batch:
        _finish_if_drained(scope, campaign_id, now)
        return 0

    def work(scope: TenantScope, recipient_id: int) -> int | None:
        return _send(scope, campaign, recipient_id, now)

    return len(
        run_each(
            session, rows=[(r, tenant_id) for r in batch], work=work, on_failure=_record_failure
        )
    )


def _in_flight(session: Session, campaign_id: int) -> int:
    r, m = RECIPIENTS, MESSAGES
    query = (
        sa.select(sa.func.count())
        .select_from(r.join(m, m.c.id == r.c.message_id))
        .where(r.c.campaign_id == campaign_id, r.c.status == RecipientStatus.QUEUED.value)
        .where(m.c.status.in_(UNSENT))
    )
    return int(session.execute(query).scalar_one())


def _pending(session: Session, campaign_id: int, limit: int) -> list[int]:
    r = RECIPIENTS
    query = (
        sa.select(r.c.id)
        .where(r.c.campaign_id == campaign_id, r.c.status == RecipientStatus.PENDING.value)
        .order_by(r.c.id)
        .limit(limit)
    )
    return [int(i) for i in session.execute(lock_skipping(session, query=query)).scalars()]


def _finish_if_drained(scope: TenantScope, campaign_id: int, now: datetime) -> None:
    """Done once no recipient waits and none of its messages is still queued or sending:
    until then it stays "running", with Pause and Cancel."""
    if _in_flight(scope.session, campaign_id):
        return
    r = RECIPIENTS
    left = scope.session.execute(
        sa.select(sa.func.count()).where(
            r.c.campaign_id == campaign_id, r.c.status == RecipientStatus.PENDING.value
        )
    ).scalar_one()
    if not left:
        compare_and_set(
            scope.session,
            table=CAMPAIGNS,
            row_id=campaign_id,
            expected={"status": CampaignStatus.RUNNING.value},
            values={"status": CampaignStatus.DONE.value, "finished_at": now, "updated_at": now},
        )


def _send(scope: TenantScope, campaign: Campaign, recipient_id: int, now: datetime) -> int | None:
    """Claim one recipient and queue its message, or skip it if it opted out."""
    recipient = scope.get(CampaignRecipient, recipient_id)
    claimed = {"status": RecipientStatus.QUEUED.value, "queued_at": now}
    pending = {"status": RecipientStatus.PENDING.value}
    if not compare_and_set(
        scope.session, table=RECIPIENTS, row_id=recipient_id, expected=pending, values=claimed
    ):
        return None
    contact = _contact(scope, recipient)
    assert contact.id is not None
    if is_opted_out(scope, contact_id=contact.id):
        skipped = {"status": RecipientStatus.SKIPPED.value, "reason": "opted out"}
        _set(scope, recipient_id, contact_id=contact.id, **skipped)
        return None
    variant, template = choose_variant(campaign.text, campaign.variants, seed=recipient_id)
    text = render(
        template,
        name=recipient.name or contact.name or contact.push_name,
        phone=recipient.phone or contact.phone,
    )
    conversation = conversation_for(scope, number_id=campaign.number_id, contact_id=contact.id)
    message = queue_outbound(scope, conversation=conversation, text=text, sent_by=SentBy.CAMPAIGN)
    _set(scope, recipient_id, contact_id=contact.id, message_id=message.id, variant=variant)
    scope.session.expire(recipient)
    return message.id


def _contact(scope: TenantScope, recipient: CampaignRecipient) -> Contact:
    if recipient.contact_id is not None:
        return scope.get(Contact, recipient.contact_id)
    assert recipient.phone is not None  # a CSV row always has one
    return create_contact(scope, phone=recipient.phone, name=recipient.name)


def _set(scope: TenantScope, recipient_id: int, **values: object) -> None:
    scope.session.execute(
        sa.update(RECIPIENTS).where(RECIPIENTS.c.id == recipient_id).values(**values)
    )


def _record_failure(scope: TenantScope, recipient_id: int, reason: str) -> None:
    scope.session.execute(
        sa.update(RECIPIENTS)
        .where(RECIPIENTS.c.id == recipient_id, RECIPIENTS.c.tenant_id == scope.tenant_id)
        .where(RECIPIENTS.c.status == RecipientStatus.PENDING.value)
        .values(status=RecipientStatus.FAILED.value, reason=reason[:200], queued_at=utcnow())
    )
