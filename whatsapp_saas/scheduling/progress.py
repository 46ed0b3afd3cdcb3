"""Campaign progress, derived from the rows themselves: never a counter that can drift.

A recipient whose message exists counts by that message's delivery status (the sender and
the receipts move it); one without a message counts by its own status. The buckets are
disjoint, so they add up to the total and stack into one progress bar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import sqlalchemy as sa

from whatsapp_saas.inbox.models import Message, MessageStatus
from whatsapp_saas.scheduling.campaign_models import CampaignRecipient, RecipientStatus
from whatsapp_saas.tenancy.scope import TenantScope

RECIPIENTS: sa.Table = CampaignRecipient.__table__  # type: ignore[attr-defined]
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]
BY_MESSAGE = {
    MessageStatus.QUEUED.value: "queued",
    MessageStatus.SENDING.value: "queued",
    MessageStatus.SENT.value: "sent",
    MessageStatus.DELIVERED.value: "delivered",
    MessageStatus.READ.value: "read",
    MessageStatus.FAILED.value: "failed",
}
BY_RECIPIENT = {
    RecipientStatus.PENDING.value: "pending",
    RecipientStatus.SKIPPED.value: "opted_out",
    RecipientStatus.FAILED.value: "failed",
    RecipientStatus.CANCELLED.value: "cancelled",
    RecipientStatus.QUEUED.value: "queued",  # its message was deleted with its conversation
}


@dataclass
class CampaignProgress:
    pending: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    opted_out: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return sum(asdict(self).values())

    @property
    def finished(self) -> int:
        """Recipients nothing more will happen to before a receipt (for the percentage)."""
        return self.total - self.pending - self.queued

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "total": self.total}


def campaign_progress(
    scope: TenantScope, *, campaign_ids: Iterable[int]
) -> dict[int, CampaignProgress]:
    """Progress of several campaigns in one grouped query."""
    ids = list(set(campaign_ids))
    result = {cid: CampaignProgress() for cid in ids}
    if not ids:
        return result
    r, m = RECIPIENTS, MESSAGES
    query = (
        sa.select(r.c.campaign_id, r.c.status, m.c.status, sa.func.count())
        .select_from(r.outerjoin(m, m.c.id == r.c.message_id))
        .where(r.c.tenant_id == scope.tenant_id, r.c.campaign_id.in_(ids))
        .group_by(r.c.campaign_id, r.c.status, m.c.status)
    )
    for campaign_id, recipient_status, message_status, count in scope.session.execute(query):
        bucket = BY_MESSAGE.get(message_status) if message_status else None
        bucket = bucket or BY_RECIPIENT.get(recipient_status, "pending")
        progress = result[campaign_id]
        setattr(progress, bucket, getattr(progress, bucket) + int(count))
    return result
