"""Delivery tables: retry state of outbound messages, governor policies, the DB limiter's log.

The outbound message itself is the inbox's ``messages`` row (the outbox); these tables only
hold what the sender needs besides it. Policies hold overrides: a NULL column means "use the
default from :class:`~whatsapp_saas.delivery.common.settings.DeliverySettings`".
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.inbox.models import Message
from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class DeliveryState(TenantOwned, table=True):
    """Retry bookkeeping of one outbound message; absent until it is first held or fails.

    ``cycle_at`` is the message's ``queued_at`` when attempts started counting: an attendant's
    Retry re-queues the message with a new ``queued_at``, which starts a fresh count.
    """

    __tablename__ = "delivery_states"

    message_id: int = Field(primary_key=True, foreign_key="messages.id", ondelete="CASCADE")
    number_id: int = Field(index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = timestamp_field()
    dispatched_at: datetime | None = timestamp_field()
    cycle_at: datetime | None = timestamp_field()
    last_error: str | None = Field(default=None, max_length=500)
    updated_at: datetime = created_at_field()


class NumberSendPolicy(TenantOwned, table=True):
    """Governor overrides for one number, and when it was first linked (for the warm-up)."""

    __tablename__ = "delivery_number_policies"

    id: int | None = Field(default=None, primary_key=True)
    number_id: int = Field(
        foreign_key="whatsapp_numbers.id", ondelete="CASCADE", sa_column_kwargs={"unique": True}
    )
    rate_count: int | None = Field(default=None)
    rate_window: float | None = Field(default=None)
    bulk_gap: float | None = Field(default=None)
    bulk_jitter: float | None = Field(default=None)
    daily_cap: int | None = Field(default=None)
    warmup_days: int | None = Field(default=None)
    warmup_start_cap: int | None = Field(default=None)
    # The warm-up clock: the first link seen for the phone currently on this number.
    first_linked_at: datetime | None = timestamp_field()
    linked_phone: str | None = Field(default=None, max_length=20)
    updated_at: datetime = created_at_field()


class TenantSendPolicy(TenantOwned, table=True):
    """Per-tenant quotas and quiet hours (local "HH:MM" in the tenant's timezone)."""

    __tablename__ = "delivery_tenant_policies"
    __table_args__ = (sa.UniqueConstraint("tenant_id", name="uq_delivery_tenant_policies_tenant"),)

    id: int | None = Field(default=None, primary_key=True)
    per_minute: int | None = Field(default=None)
    per_day: int | None = Field(default=None)
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)
    updated_at: datetime = created_at_field()


class SendLogEntry(TenantOwned, table=True):
    """One admitted send, for the database limiter (embedded mode, no Redis).

    ``until_at`` is when the send stops occupying its rate-window slot: admission time plus
    the in-flight allowance while it runs, its completion time once it is done.
    """

    __tablename__ = "delivery_send_log"
    __table_args__ = (
        sa.Index("ix_delivery_send_log_number_until", "number_id", "until_at"),
        sa.Index("ix_delivery_send_log_tenant_until", "tenant_id", "until_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number_id: int
    message_id: int
    bulk: bool = Field(default=False)
    admitted_at: datetime = created_at_field()
    until_at: datetime = created_at_field()
    gap_until: datetime | None = timestamp_field()


# Claims send a message only when no older message of its conversation is still unsent, so
# a conversation's messages arrive in order. This probe must stay cheap however long the
# conversation is: a partial index holding only unsent rows.
sa.Index(
    "ix_messages_unsent_by_conversation",
    Message.__table__.c.conversation_id,  # type: ignore[attr-defined]
    Message.__table__.c.id,  # type: ignore[attr-defined]
    postgresql_where=sa.text("status IN ('queued', 'sending')"),
    sqlite_where=sa.text("status IN ('queued', 'sending')"),
)
