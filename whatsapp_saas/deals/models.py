"""Deal tables: pipelines with ordered stages, deals, and each deal's stage history.

A board column is one stage; its cards are read newest-in-stage first with a keyset on
(stage_id, stage_entered_at DESC, id DESC), so a column's next page is an index range however
many deals the tenant has. Values are integer cents (BRL): no float ever touches money.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class StageOutcome(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class Pipeline(TenantOwned, table=True):
    __tablename__ = "pipelines"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", name="uq_pipelines_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    position: int = Field(default=0)
    created_at: datetime = created_at_field()


class Stage(TenantOwned, table=True):
    __tablename__ = "pipeline_stages"
    __table_args__ = (sa.Index("ix_pipeline_stages_pipeline_position", "pipeline_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipelines.id", ondelete="CASCADE")
    name: str = Field(max_length=80)
    position: int = Field(default=0)
    outcome: str = Field(default=StageOutcome.OPEN.value, max_length=4)
    created_at: datetime = created_at_field()


class Deal(TenantOwned, table=True):
    __tablename__ = "deals"
    __table_args__ = (
        # One board column, newest in stage first: the keyset of a column's pages.
        sa.Index("ix_deals_stage_entered", "stage_id", "stage_entered_at", "id"),
        # Count and value total of every column of a pipeline in one grouped scan.
        sa.Index("ix_deals_pipeline_stage", "tenant_id", "pipeline_id", "stage_id"),
        # The contact list's pipeline/stage filter (crm.filters; migration 0018).
        sa.Index("ix_deals_pipeline_contact", "pipeline_id", "stage_id", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipelines.id", ondelete="CASCADE")
    # RESTRICT: a stage with deals cannot vanish under them (the service says so first).
    stage_id: int = Field(foreign_key="pipeline_stages.id", ondelete="RESTRICT")
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    conversation_id: int | None = Field(
        default=None, foreign_key="conversations.id", ondelete="SET NULL"
    )
    title: str = Field(max_length=160)
    value_cents: int = Field(default=0, sa_type=sa.BigInteger)
    currency: str = Field(default="BRL", max_length=3)
    owner_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    expected_close: date | None = Field(default=None)
    # Values of the tenant's deal custom fields, keyed by field key (crm.fields validates).
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    stage_entered_at: datetime = created_at_field()
    closed_at: datetime | None = timestamp_field()
    created_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class DealStageChange(TenantOwned, table=True):
    """One step of a deal's history: who moved it, from where, to where, when.

    ``from_stage_id`` is None for the deal's first stage (its creation).
    """

    __tablename__ = "deal_stage_changes"

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="deals.id", ondelete="CASCADE", index=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    from_stage_id: int | None = Field(
        default=None, foreign_key="pipeline_stages.id", ondelete="SET NULL"
    )
    to_stage_id: int | None = Field(
        default=None, foreign_key="pipeline_stages.id", ondelete="SET NULL"
    )
    by_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    changed_at: datetime = created_at_field()
