"""CRM tables (migration 0011). Contacts' own CRM columns live on ``contacts``."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class Tag(TenantOwned, table=True):
    __tablename__ = "crm_tags"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", name="uq_crm_tags_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    color: str = Field(default="gray", max_length=16)  # a Radix colour name
    created_at: datetime = created_at_field()


class ContactTag(TenantOwned, table=True):
    __tablename__ = "crm_contact_tags"
    __table_args__ = (sa.Index("ix_crm_contact_tags_tag", "tag_id", "contact_id"),)

    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", primary_key=True)
    tag_id: int = Field(foreign_key="crm_tags.id", ondelete="CASCADE", primary_key=True)


class ConversationTag(TenantOwned, table=True):
    __tablename__ = "crm_conversation_tags"
    __table_args__ = (sa.Index("ix_crm_conversation_tags_tag", "tag_id", "conversation_id"),)

    conversation_id: int = Field(
        foreign_key="conversations.id", ondelete="CASCADE", primary_key=True
    )
    tag_id: int = Field(foreign_key="crm_tags.id", ondelete="CASCADE", primary_key=True)


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    CURRENCY = "currency"
    PERCENT = "percent"
    DATE = "date"
    SELECT = "select"
    MULTI_SELECT = "multi_select"
    CHECKBOX = "checkbox"
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"


class FieldEntity(StrEnum):
    CONTACT = "contact"
    DEAL = "deal"


class FieldDefinition(TenantOwned, table=True):
    """A tenant-defined field of contacts or deals; values are stored under ``key``."""

    __tablename__ = "crm_field_defs"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "entity", "key", name="uq_crm_field_defs_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(default=FieldEntity.CONTACT.value, max_length=8)
    key: str = Field(max_length=40)
    label: str = Field(max_length=80)
    type: str = Field(max_length=16)
    options: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    pattern: str | None = Field(default=None, max_length=200)  # a regex the whole value matches
    min_value: float | None = Field(default=None)
    max_value: float | None = Field(default=None)
    currency: str = Field(default="BRL", max_length=3)
    position: int = Field(default=0)
    created_at: datetime = created_at_field()


class Note(TenantOwned, table=True):
    """An internal note about a contact, by an agent (never sent to the customer)."""

    __tablename__ = "crm_notes"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    author_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = created_at_field()


class Change(TenantOwned, table=True):
    """One change to a contact: who changed which field from what to what, and when."""

    __tablename__ = "crm_changes"
    __table_args__ = (sa.Index("ix_crm_changes_contact", "contact_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    field: str = Field(max_length=60)
    old_value: str | None = Field(default=None, sa_type=sa.Text)
    new_value: str | None = Field(default=None, sa_type=sa.Text)
    at: datetime = created_at_field()


class Segment(TenantOwned, table=True):
    """Named AND-combined filters: personal (``shared`` false) or the whole team's."""

    __tablename__ = "crm_segments"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    owner_user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    shared: bool = Field(default=False)
    filters: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    created_at: datetime = created_at_field()


class JobKind(StrEnum):
    IMPORT = "import"
    BULK = "bulk"


class JobStatus(StrEnum):
    DRAFT = "draft"  # an uploaded import waiting for its mapping; no runner touches it
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(TenantOwned, table=True):
    """A long CRM task (an import, a bulk action over a filter), done in committed chunks.

    The rows are the truth: each chunk commits its work and its progress together, so a
    runner that dies loses at most an uncommitted chunk, which the next runner redoes once the
    lease expires.
    """

    __tablename__ = "crm_jobs"
    __table_args__ = (sa.Index("ix_crm_jobs_status", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    status: str = Field(default=JobStatus.QUEUED.value, max_length=8)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    counts: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    total: int = Field(default=0)
    processed: int = Field(default=0)
    cursor: int = Field(default=0, sa_type=sa.BigInteger)  # last contact id / row number done
    created_by_user_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL"
    )
    lease_holder: str | None = Field(default=None, max_length=120)
    lease_until: datetime | None = timestamp_field()
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = created_at_field()
    finished_at: datetime | None = timestamp_field()


class RowStatus(StrEnum):
    PENDING = "pending"
    CREATED = "created"
    MERGED = "merged"
    SKIPPED = "skipped"
    FAILED = "failed"


class ImportRow(SQLModel, table=True):
    """One data row of an uploaded CSV, keyed by (job, row number): the idempotency key."""

    __tablename__ = "crm_import_rows"

    job_id: int = Field(foreign_key="crm_jobs.id", ondelete="CASCADE", primary_key=True)
    row_number: int = Field(primary_key=True)
    tenant_id: int = Field(foreign_key="tenants.id", ondelete="CASCADE", index=True)
    cells: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    status: str = Field(default=RowStatus.PENDING.value, max_length=8)
    contact_id: int | None = Field(default=None)
    reason: str | None = Field(default=None, max_length=200)


class AuditEntry(TenantOwned, table=True):
    """Who exported, imported or bulk-changed contacts, with what, and when."""

    __tablename__ = "crm_audit"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    action: str = Field(max_length=20)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    at: datetime = created_at_field()


class Visibility(StrEnum):
    ALL = "all"  # agents see every contact
    MINE = "mine"  # only those they own or whose conversations they may see


class CrmSettings(TenantOwned, table=True):
    __tablename__ = "crm_settings"
    __table_args__ = (sa.UniqueConstraint("tenant_id", name="uq_crm_settings_tenant"),)

    id: int | None = Field(default=None, primary_key=True)
    agent_visibility: str = Field(default=Visibility.MINE.value, max_length=8)


# CRM search on PostgreSQL: a trigram index over ``contacts.crm_search``, a stored generated
# column (migration 0011; not mapped, SQLite has no such column) holding the folded
# document of crm.search.DOCUMENT.
sa.Index(
    "ix_contacts_crm_search",
    sa.text("crm_search gin_trgm_ops"),
    postgresql_using="gin",
    _table=Contact.__table__,  # type: ignore[attr-defined]
).ddl_if(dialect="postgresql")
# Keyset pages of the contact list, per sort (migration 0018): (tenant, key, id).
for _name, _key in (("created", "created_at"), ("updated", "updated_at")):
    sa.Index(
        f"ix_contacts_tenant_{_name}",
        Contact.__table__.c.tenant_id,  # type: ignore[attr-defined]
        Contact.__table__.c[_key],  # type: ignore[attr-defined]
        Contact.__table__.c.id,  # type: ignore[attr-defined]
    )
sa.Index(
    "ix_contacts_crm_name",
    Contact.__table__.c.tenant_id,  # type: ignore[attr-defined]
    sa.text("lower(coalesce(name, push_name, phone, ''))"),
    Contact.__table__.c.id,  # type: ignore[attr-defined]
)

# PostgreSQL only (migration 0021): one row per (contact, custom field), the value as the
# text ``custom_fields ->> key`` gives, kept by a trigger on ``contacts``. The custom-field
# filter reads it (crm.filters); its own MetaData keeps it out of SQLite's schema.
FIELD_KEY_MAX = 64
FIELD_VALUE_MAX = 256  # a longer value is stored cut, and the filter checks the JSON too
FIELD_VALUES = sa.Table(
    "crm_contact_field_values",
    sa.MetaData(),
    sa.Column("contact_id", sa.Integer, primary_key=True),
    sa.Column("field_key", sa.String(FIELD_KEY_MAX), primary_key=True),
    sa.Column("tenant_id", sa.Integer, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
)
# The sort "last contact" (migration 0021): the newest last_message_at of the contact's
# conversations, kept by a trigger on ``conversations``; 1970-01-01 when never contacted.
# Not mapped, so writes of Contact never touch it.
LAST_CONTACT_COLUMN = sa.literal_column("contacts.crm_last_contact_at", sa.DateTime(timezone=True))
