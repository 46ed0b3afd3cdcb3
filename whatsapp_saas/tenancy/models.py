"""The tenant table and the mixin every tenant-owned table uses."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from whatsapp_saas.models_base import created_at_field


class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    timezone: str = Field(default="America/Sao_Paulo", max_length=64)
    language: str = Field(default="pt-BR", max_length=8)
    # Off by default: customers then do not see blue ticks just because an attendant looked.
    send_read_receipts: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    created_at: datetime = created_at_field()


class TenantOwned(SQLModel):
    """Mixin: a row that belongs to exactly one tenant. Reach it only through TenantScope."""

    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE", index=True)
