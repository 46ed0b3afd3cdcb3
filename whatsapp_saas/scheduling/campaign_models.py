"""Campaign tables: a broadcast and one row per recipient.

The recipient row is the at-most-once guarantee: it moves ``pending → queued`` with a
conditional UPDATE in the same transaction that writes its outbound message, and
``(campaign_id, recipient_key)`` is unique, so neither a crash nor a second runner can make a
recipient get the campaign twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class RecipientStatus(StrEnum):
    PENDING = "pending"
    QUEUED = "queued"  # its message exists; the message's own status tells the rest
    SKIPPED = "skipped"  # opted out
    FAILED = "failed"  # could not be enqueued (e.g. no WhatsApp id)
    CANCELLED = "cancelled"


class Campaign(TenantOwned, table=True):
    __tablename__ = "campaigns"
    __table_args__ = (sa.Index("ix_campaigns_status", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    number_id: int = Field(foreign_key="whatsapp_numbers.id", ondelete="CASCADE")
    text: str = Field(sa_type=sa.Text)
    # Alternatives to ``text``; each recipient gets one of them (or ``text``) at random.
    variants: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    status: str = Field(default=CampaignStatus.DRAFT.value, max_length=10)
    batch_size: int = Field(default=20)  # recipients enqueued per scheduler pass
    max_in_flight: int = Field(default=50)  # queued-but-unsent messages before we wait
    total: int = Field(default=0)
    created_by_user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    # A CRM segment whose members join the recipients when the campaign starts (migration
    # 0021): who is in it then, not when the draft was made, gets it.
    segment_id: int | None = Field(default=None, foreign_key="crm_segments.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    started_at: datetime | None = timestamp_field()
    finished_at: datetime | None = timestamp_field()
    updated_at: datetime = created_at_field()


class CampaignRecipient(TenantOwned, table=True):
    __tablename__ = "campaign_recipients"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "recipient_key", name="uq_campaign_recipients_key"),
        sa.Index("ix_campaign_recipients_campaign_status", "campaign_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id", ondelete="CASCADE")
    # E.164 phone when known, else "contact:<id>" (a contact known only by its LID).
    recipient_key: str = Field(max_length=40)
    phone: str | None = Field(default=None, max_length=20)
    name: str | None = Field(default=None, max_length=120)
    contact_id: int | None = Field(
        default=None, foreign_key="contacts.id", ondelete="SET NULL", index=True
    )
    status: str = Field(default=RecipientStatus.PENDING.value, max_length=10)
    variant: int | None = Field(default=None)
    message_id: int | None = Field(
        default=None, foreign_key="messages.id", ondelete="SET NULL", index=True
    )
    reason: str | None = Field(default=None, max_length=200)
    queued_at: datetime | None = timestamp_field()
