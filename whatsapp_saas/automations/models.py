"""Automation tables: rules, the run log (the idempotency record) and per-tenant settings.

A rule's trigger, conditions and actions are JSON documents validated by
:mod:`whatsapp_saas.automations.rules`; the engine compiles them once per evaluation batch.
Every firing writes one ``automation_runs`` row whose ``idempotency_key`` is unique, in the
same transaction as the rule's effects, so the same event handled twice fires nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.models_base import created_at_field
from whatsapp_saas.tenancy.models import TenantOwned


class RunStatus(StrEnum):
    FIRED = "fired"
    ERROR = "error"
    CAPPED = "capped"  # the per-conversation hourly cap was reached
    PAUSED = "paused"  # a human owns the conversation
    BOT = "bot"  # the sender looks like another bot, or is on the ignore list


class AutomationRule(TenantOwned, table=True):
    __tablename__ = "automation_rules"
    __table_args__ = (sa.Index("ix_automation_rules_order", "tenant_id", "priority", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    enabled: bool = Field(default=True)
    priority: int = Field(default=100)  # lower runs first
    stop_after: bool = Field(default=False)  # no later rule runs once this one fired
    trigger: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    conditions: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    actions: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class AutomationRun(TenantOwned, table=True):
    """One firing (or refusal) of a rule on one event: the run log and the idempotency key."""

    __tablename__ = "automation_runs"
    __table_args__ = (
        sa.UniqueConstraint("idempotency_key", name="uq_automation_runs_key"),
        sa.Index("ix_automation_runs_conversation", "conversation_id", "created_at"),
        sa.Index("ix_automation_runs_rule", "rule_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=120)
    rule_id: int | None = Field(default=None, foreign_key="automation_rules.id", ondelete="CASCADE")
    rule_name: str = Field(default="", max_length=120)
    conversation_id: int | None = Field(
        default=None, foreign_key="conversations.id", ondelete="CASCADE"
    )
    message_id: int | None = Field(default=None)
    event: str = Field(max_length=40)
    status: str = Field(max_length=10)
    results: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()


class AutomationSettings(TenantOwned, table=True):
    """Per tenant: loop protection, the human-takeover pause, and business hours."""

    __tablename__ = "automation_settings"
    __table_args__ = (sa.UniqueConstraint("tenant_id", name="uq_automation_settings_tenant"),)

    id: int | None = Field(default=None, primary_key=True)
    hourly_cap: int = Field(default=10)  # firings per conversation per hour
    pause_minutes: int = Field(default=60)  # a human's takeover lapses after this idle time
    timezone: str = Field(default="America/Sao_Paulo", max_length=64)
    # {"0": ["09:00", "18:00"], ...}; 0 = Monday; a missing day is closed.
    weekly_hours: dict[str, list[str]] = Field(
        default_factory=dict, sa_type=sa.JSON, nullable=False
    )
    holidays: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)  # ISO
    out_of_hours_enabled: bool = Field(default=False)
    out_of_hours_message: str = Field(default="", sa_type=sa.Text)
    agent_grace_minutes: int = Field(default=5)  # skip the out-of-hours reply after an agent
    # Not answering other bots: phones never answered, and a burst limit (0: off).
    bot_ignore_phones: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    bot_max_per_minute: int = Field(default=8)
    updated_at: datetime = created_at_field()


class JobStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # out of attempts (a webhook that never answered 2xx)


class AutomationJob(TenantOwned, table=True):
    """An action to run later: a delayed action, a snooze's wake-up, an outbound webhook.

    A durable row, never a sleep: the scheduler role runs the due ones (see
    :mod:`whatsapp_saas.automations.jobs`), so a restart loses nothing. ``idempotency_key``
    (the run's key and the action's index) makes a repeated firing schedule nothing twice.
    """

    __tablename__ = "automation_jobs"
    __table_args__ = (
        sa.UniqueConstraint("idempotency_key", name="uq_automation_jobs_key"),
        sa.Index("ix_automation_jobs_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=160)
    kind: str = Field(max_length=20)  # "action" | "webhook"
    rule_name: str = Field(default="", max_length=120)
    conversation_id: int | None = Field(
        default=None, foreign_key="conversations.id", ondelete="CASCADE"
    )
    action: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    due_at: datetime = created_at_field()
    status: str = Field(default=JobStatus.PENDING.value, max_length=10)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
    done_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class HoursOverride(TenantOwned, table=True):
    """A WhatsApp number's or a department's own business hours (exactly one of the two ids).

    No row: it uses the company's hours (``AutomationSettings``). The out-of-hours reply's
    text, the grace minutes and the loop guards stay per tenant; only the opening hours move.
    """

    __tablename__ = "automation_hours_overrides"
    __table_args__ = (
        sa.UniqueConstraint("number_id", name="uq_hours_overrides_number"),
        sa.UniqueConstraint("department_id", name="uq_hours_overrides_department"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number_id: int | None = Field(
        default=None, foreign_key="whatsapp_numbers.id", ondelete="CASCADE"
    )
    department_id: int | None = Field(
        default=None, foreign_key="departments.id", ondelete="CASCADE"
    )
    timezone: str = Field(default="America/Sao_Paulo", max_length=64)
    weekly_hours: dict[str, list[str]] = Field(
        default_factory=dict, sa_type=sa.JSON, nullable=False
    )
    holidays: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)  # ISO
    updated_at: datetime = created_at_field()


class AgentPresence(TenantOwned, table=True):
    """When a user last had an inbox open (a socket this app pushes to): round-robin prefers
    the members seen lately. Written at most once a minute per user (automations.presence)."""

    __tablename__ = "agent_presence"

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    last_seen_at: datetime = created_at_field()
