"""Inbox tables: departments, conversations, messages and quick replies.

Conversations are long-lived threads, one per (number, contact), never tickets: a resolved
conversation reopens when the customer writes again, and the list query stays an index scan
on (tenant_id, last_message_at DESC, id DESC) however many threads are open.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class ConversationStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class MessageType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VOICE = "voice"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACT = "contact"
    REACTION = "reaction"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class MediaStatus(StrEnum):
    PENDING = "pending"
    STORED = "stored"
    FAILED = "failed"


class SentBy(StrEnum):
    AGENT = "agent"
    AUTOMATION = "automation"
    AI = "ai"
    SCHEDULE = "schedule"
    CAMPAIGN = "campaign"


class Department(TenantOwned, table=True):
    __tablename__ = "departments"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", name="uq_departments_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    created_at: datetime = created_at_field()


class DepartmentMember(TenantOwned, table=True):
    __tablename__ = "department_members"
    __table_args__ = (
        sa.UniqueConstraint("department_id", "user_id", name="uq_department_members_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="departments.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)


class Conversation(TenantOwned, table=True):
    __tablename__ = "conversations"
    __table_args__ = (
        sa.UniqueConstraint("number_id", "contact_id", name="uq_conversations_number_contact"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number_id: int = Field(foreign_key="whatsapp_numbers.id", ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contacts.id", ondelete="CASCADE", index=True)
    status: str = Field(default=ConversationStatus.OPEN.value, max_length=10)
    assignee_id: int | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True
    )
    department_id: int | None = Field(
        default=None, foreign_key="departments.id", ondelete="SET NULL", index=True
    )
    # Cached counters, updated in the transaction that stores each message.
    unread_count: int = Field(default=0)
    last_message_preview: str | None = Field(default=None, max_length=200)
    last_message_at: datetime = created_at_field()
    last_inbound_at: datetime | None = timestamp_field()
    last_read_message_id: int | None = Field(default=None)
    resolved_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()
    # Who answers: "flow" (automations), "human" or "ai" (automations.owner; migration 0014).
    owner_kind: str = Field(
        default="flow", max_length=8, sa_column_kwargs={"server_default": "flow"}
    )
    owner_since: datetime | None = timestamp_field()


class Message(TenantOwned, table=True):
    """One message of a conversation, inbound or outbound, or an internal note.

    ``status`` is None for internal notes (never sent), "delivered"/"read" for inbound
    messages, and the delivery state for outbound ones; it only moves forward.
    """

    __tablename__ = "messages"
    __table_args__ = (
        # The idempotency key: the same WhatsApp message on the same number is stored once.
        sa.UniqueConstraint("number_id", "wa_message_id", name="uq_messages_number_wa_id"),
        sa.Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        # The sender's sweeper looks only at unsent messages: a small partial index.
        sa.Index(
            "ix_messages_unsent",
            "number_id",
            "id",
            postgresql_where=sa.text("status IN ('queued', 'sending')"),
            sqlite_where=sa.text("status IN ('queued', 'sending')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    number_id: int = Field(foreign_key="whatsapp_numbers.id", ondelete="CASCADE")
    wa_message_id: str | None = Field(default=None, max_length=64)
    direction: str = Field(max_length=3)
    type: str = Field(default=MessageType.TEXT.value, max_length=12)
    body: str | None = Field(default=None, sa_type=sa.Text)
    caption: str | None = Field(default=None, sa_type=sa.Text)
    quoted_wa_id: str | None = Field(default=None, max_length=64)
    reactions: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    # Media: metadata at once, the file itself later (see inbox.media_download).
    media_kind: str | None = Field(default=None, max_length=12)
    media_mimetype: str | None = Field(default=None, max_length=120)
    media_filename: str | None = Field(default=None, max_length=255)
    media_size: int | None = Field(default=None, sa_type=sa.BigInteger)
    media_seconds: int | None = Field(default=None)  # voice notes and audio: the duration
    media_storage_key: str | None = Field(default=None, max_length=255)
    media_locator: str | None = Field(default=None, sa_type=sa.Text)  # the engine's MediaRef
    media_status: str | None = Field(default=None, max_length=8)
    media_error: str | None = Field(default=None, max_length=500)
    media_attempts: int = Field(default=0)
    # Delivery state, one timestamp per transition.
    status: str | None = Field(default=None, max_length=10)
    failure_reason: str | None = Field(default=None, max_length=500)
    queued_at: datetime | None = timestamp_field()
    sending_at: datetime | None = timestamp_field()
    sent_at: datetime | None = timestamp_field()
    delivered_at: datetime | None = timestamp_field()
    read_at: datetime | None = timestamp_field()
    failed_at: datetime | None = timestamp_field()
    wa_timestamp: datetime | None = timestamp_field()  # when WhatsApp says it was sent
    is_internal_note: bool = Field(default=False)
    author_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    sent_by: str | None = Field(default=None, max_length=12)
    created_at: datetime = created_at_field()
    automation_rule: str | None = Field(default=None, max_length=120)  # the rule that sent it


class QuickReply(TenantOwned, table=True):
    __tablename__ = "quick_replies"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "shortcut", name="uq_quick_replies_shortcut"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shortcut: str = Field(max_length=32)
    text: str = Field(sa_type=sa.Text)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


# The conversation list: newest activity first, per tenant (keyset pagination follows it).
sa.Index(
    "ix_conversations_tenant_activity",
    Conversation.__table__.c.tenant_id,  # type: ignore[attr-defined]
    Conversation.__table__.c.last_message_at.desc(),  # type: ignore[attr-defined]
    Conversation.__table__.c.id.desc(),  # type: ignore[attr-defined]
)

# Full-text search (PostgreSQL only; SQLite searches with LIKE). Declared here so that
# autogenerate neither drops nor re-adds it; created by migration 0007. Keep the expression
# identical to whatsapp_saas.inbox.search.SEARCH_VECTOR.
sa.Index(
    "ix_messages_search",
    # Written the way PostgreSQL reflects it, so autogenerate sees no difference.
    sa.text(
        "to_tsvector('simple'::regconfig, "
        "wa_message_document(body, caption, (media_filename)::text))"
    ),
    postgresql_using="gin",
    _table=Message.__table__,  # type: ignore[attr-defined]
).ddl_if(dialect="postgresql")
