"""What an opt-out does at once, beyond the log entry.

Campaign batches and follow-up steps may already sit in the outbox, queued behind the
governor's pacing, when the customer writes "PARAR". Those are withdrawn (``failed`` with the
reason "opted out") unless the sender has already picked them up, and the contact's running
follow-ups stop. Scheduled messages an attendant wrote to this person are left alone: opt-out
covers campaigns and automatic follow-ups, not a conversation.
"""

from __future__ import annotations

import sqlalchemy as sa

from whatsapp_saas.inbox.models import Conversation, Message, MessageStatus
from whatsapp_saas.inbox.status import fail
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.campaign_models import CampaignRecipient
from whatsapp_saas.scheduling.followups import cancel_follow_ups
from whatsapp_saas.scheduling.models import CancelReason, ContactOptOut, FollowUp
from whatsapp_saas.scheduling.optout import is_opted_out, record_opt_out
from whatsapp_saas.tenancy.scope import TenantScope

WITHDRAWN_REASON = "opted out"
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]
CONVERSATIONS: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
RECIPIENTS: sa.Table = CampaignRecipient.__table__  # type: ignore[attr-defined]
FOLLOW_UPS: sa.Table = FollowUp.__table__  # type: ignore[attr-defined]


def opt_out(
    scope: TenantScope,
    *,
    contact_id: int,
    source: str,
    keyword: str | None = None,
    message_id: int | None = None,
) -> ContactOptOut:
    """Log the opt-out (once) and stop everything bulk still on its way to the contact."""
    already = is_opted_out(scope, contact_id=contact_id)
    entry = record_opt_out(scope, contact_id=contact_id, source=source, keyword=keyword,
                           message_id=message_id)  # fmt: skip
    if not already:
        for conversation_id in _conversations(scope, contact_id):
            cancel_follow_ups(scope, conversation_id=conversation_id, reason=CancelReason.OPTED_OUT)
        withdraw_queued(scope, contact_id=contact_id)
    return entry


def withdraw_queued(scope: TenantScope, *, contact_id: int) -> int:
    """Fail the contact's campaign and follow-up messages the sender has not picked up."""
    c, r, f, m = CONVERSATIONS, RECIPIENTS, FOLLOW_UPS, MESSAGES
    conversations = sa.select(c.c.id).where(
        c.c.tenant_id == scope.tenant_id, c.c.contact_id == contact_id
    )
    bulk = sa.union(
        sa.select(r.c.message_id).where(
            r.c.tenant_id == scope.tenant_id, r.c.contact_id == contact_id
        ),
        sa.select(f.c.message_id).where(
            f.c.tenant_id == scope.tenant_id, f.c.conversation_id.in_(conversations)
        ),
    )
    criteria = [
        m.c.tenant_id == scope.tenant_id,
        m.c.conversation_id.in_(conversations),
        m.c.id.in_(bulk),
        m.c.status == MessageStatus.QUEUED.value,
    ]
    at = utcnow()
    moved = fail(scope.session, criteria=criteria, at=at, reason=WITHDRAWN_REASON)
    return len(moved)


def _conversations(scope: TenantScope, contact_id: int) -> list[int]:
    rows = scope.all(Conversation, Conversation.contact_id == contact_id)
    return [r.id for r in rows if r.id is not None]
