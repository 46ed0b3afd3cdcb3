"""Contact tables: a person of one tenant and the WhatsApp ids that identify them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class IdentityKind(StrEnum):
    PHONE = "phone"  # value: E.164, "+5511999990000"
    LID = "lid"  # value: the LID user part, "123456789012345"


class Contact(TenantOwned, table=True):
    __tablename__ = "contacts"

    id: int | None = Field(default=None, primary_key=True)
    # Set by a person; wins over the push name, which the customer controls.
    name: str | None = Field(default=None, max_length=120)
    push_name: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=20, index=True)  # E.164, when known
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    # Set when this contact was merged into another: the row stays, so every id that points
    # here (schedules, opt-outs, other packages' rows) keeps resolving, to the survivor.
    merged_into_id: int | None = Field(
        default=None, foreign_key="contacts.id", ondelete="SET NULL", index=True
    )
    merged_at: datetime | None = timestamp_field()
    # CRM profile (migration 0011; written by whatsapp_saas.crm).
    email: str | None = Field(default=None, max_length=254)
    company: str | None = Field(default=None, max_length=120)
    owner_user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True
    )
    custom_fields: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    # Folded email, company and custom field values: what CRM search reads besides the name.
    crm_text: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()

    @property
    def display_name(self) -> str:
        return self.name or self.push_name or self.phone or f"#{self.id}"


class ContactIdentity(TenantOwned, table=True):
    """One WhatsApp id of a contact. Unique per tenant, so an id points to one person."""

    __tablename__ = "contact_identities"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "kind", "value", name="uq_contact_identities_value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=8)
    value: str = Field(max_length=64)
    created_at: datetime = created_at_field()


# Trigram search over name, push name and phone, accents folded (PostgreSQL with pg_trgm;
# created by migration 0007). Declared so autogenerate leaves it alone; written the way
# PostgreSQL reflects it.
sa.Index(
    "ix_contacts_search",
    sa.text(
        "wa_fold((((((COALESCE(name, ''::character varying))::text || ' '::text) || "
        "(COALESCE(push_name, ''::character varying))::text) || ' '::text) || "
        "(COALESCE(phone, ''::character varying))::text)) gin_trgm_ops"
    ),
    postgresql_using="gin",
    _table=Contact.__table__,  # type: ignore[attr-defined]
).ddl_if(dialect="postgresql")
