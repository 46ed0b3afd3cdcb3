"""Scheduling tables: scheduled messages, follow-ups, opt-outs, tenant settings and the lease.

The database is the one truth. The scheduler finds due rows with an indexed query and claims
each with a conditional UPDATE in the same transaction that writes the outbound message, so a
crash commits both or neither, and a second scheduler finds nothing left to claim.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class Recurrence(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ScheduleStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    LATE = "late"  # sent, but after the grace period (every scheduler was down at due time)
    CANCELLED = "cancelled"
    FAILED = "failed"


class FollowUpStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class CancelReason(StrEnum):
    CUSTOMER_REPLIED = "customer_replied"
    RESOLVED = "resolved"
    OPTED_OUT = "opted_out"
    MANUAL = "manual"
    REPLACED = "replaced"


class ScheduledMessage(TenantOwned, table=True):
    """One message (text and/or media) to one contact through one number, at ``due_at``.

    A recurring schedule stays ``pending`` and its ``due_at`` moves to the next occurrence,
    computed from ``anchor_local`` (the wall-clock time the attendant chose) in ``timezone``.
    """

    __tablename__ = "scheduled_messages"
    __table_args__ = (sa.Index("ix_scheduled_messages_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    number_id: int = Field(foreign_key="whatsapp_numbers.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    conversation_id: int | None = Field(
        default=None, foreign_key="conversations.id", ondelete="SET NULL", index=True
    )
    text: str | None = Field(default=None, sa_type=sa.Text)
    media_kind: str | None = Field(default=None, max_length=12)
    media_storage_key: str | None = Field(default=None, max_length=255)
    media_mimetype: str | None = Field(default=None, max_length=120)
    media_filename: str | None = Field(default=None, max_length=255)
    media_size: int | None = Field(default=None, sa_type=sa.BigInteger)
    due_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    timezone: str = Field(max_length=64)
    anchor_local: datetime = Field(sa_type=sa.DateTime(timezone=False), nullable=False)
    recurrence: str = Field(default=Recurrence.NONE.value, max_length=8)
    occurrence: int = Field(default=0)  # index of the occurrence ``due_at`` stands for
    status: str = Field(default=ScheduleStatus.PENDING.value, max_length=10)
    sent_count: int = Field(default=0)
    message_id: int | None = Field(
        default=None, foreign_key="messages.id", ondelete="SET NULL"
    )  # the last outbound message this schedule created
    claimed_at: datetime | None = timestamp_field()
    late_seconds: float | None = Field(default=None)  # of the last run
    last_run_late: bool = Field(default=False)
    failure_reason: str | None = Field(default=None, max_length=500)
    created_by_user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    cancelled_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class FollowUpRule(TenantOwned, table=True):
    """ "If the customer has not replied X hours after our last message, send Y", in steps."""

    __tablename__ = "follow_up_rules"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    # [{"delay_hours": 24, "text": "..."}, ...]: each delay counts from our previous message.
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    business_hours_only: bool = Field(default=True)
    created_at: datetime = created_at_field()


class FollowUp(TenantOwned, table=True):
    """A follow-up running on one conversation; at most one pending per conversation."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.Index("ix_follow_ups_status_due", "status", "due_at"),
        sa.Index(
            "uq_follow_ups_pending_conversation",
            "conversation_id",
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    rule_id: int | None = Field(default=None, foreign_key="follow_up_rules.id", ondelete="SET NULL")
    # Copied from the rule when started, so editing a rule never surprises a running follow-up.
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    business_hours_only: bool = Field(default=True)
    step: int = Field(default=0)  # the next step to send
    anchor_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    due_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    status: str = Field(default=FollowUpStatus.PENDING.value, max_length=10)
    cancel_reason: str | None = Field(default=None, max_length=20)
    message_id: int | None = Field(default=None, foreign_key="messages.id", ondelete="SET NULL")
    failure_reason: str | None = Field(default=None, max_length=500)
    created_by_user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ContactOptOut(TenantOwned, table=True):
    """The opt-out log: who asked to stop, when, and how. Active while ``revoked_at`` is null."""

    __tablename__ = "contact_opt_outs"
    __table_args__ = (
        sa.Index(
            "uq_contact_opt_outs_active",
            "tenant_id",
            "contact_id",
            unique=True,
            postgresql_where=sa.text("revoked_at IS NULL"),
            sqlite_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    source: str = Field(max_length=10)  # keyword | manual
    keyword: str | None = Field(default=None, max_length=40)
    message_id: int | None = Field(default=None, foreign_key="messages.id", ondelete="SET NULL")
    opted_out_at: datetime = created_at_field()
    revoked_at: datetime | None = timestamp_field()
    # Who did it by hand (migration 0011; None for keyword opt-outs).
    by_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    revoked_by_user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )


class SchedulingSettings(TenantOwned, table=True):
    """Per-tenant knobs; a tenant without a row gets the defaults in :mod:`.preferences`.

    Quiet hours are the delivery governor's (``delivery_tenant_policies``), not repeated here.
    """

    __tablename__ = "scheduling_settings"
    __table_args__ = (sa.UniqueConstraint("tenant_id", name="uq_scheduling_settings_tenant"),)

    id: int | None = Field(default=None, primary_key=True)
    stop_keywords: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    # {"0": ["09:00", "18:00"], ...}: ISO weekday - 1 (Monday = "0"); a missing day is closed.
    business_hours: dict[str, list[str]] = Field(
        default_factory=dict, sa_type=sa.JSON, nullable=False
    )
    updated_at: datetime = created_at_field()


class SchedulerState(SQLModel, table=True):
    """Named bookkeeping rows of the scheduler (not tenant data): the leader lease, held by
    ``holder`` until ``expires_at``, and scan cursors."""

    __tablename__ = "scheduler_state"

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(default="", max_length=120)
    expires_at: datetime | None = timestamp_field()
    cursor: int = Field(default=0, sa_type=sa.BigInteger)  # e.g. the opt-out scan position
