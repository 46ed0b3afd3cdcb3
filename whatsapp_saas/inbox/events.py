"""Domain events of the inbox: frozen, past tense, carrying ``tenant_id``.

All but :class:`TypingIndicated` are announced after the transaction that wrote them commits
(:func:`whatsapp_saas.db.announce_after_commit`). They carry ids and the few fields a browser
needs to update a row without a reload; anything else is re-read from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class InboxEvent:
    tenant_id: int


@dataclass(frozen=True, slots=True)
class MessageStored(InboxEvent):
    """A message (inbound, outbound or internal note) was written for the first time."""

    message_id: int
    conversation_id: int
    number_id: int
    contact_id: int
    direction: str  # "in" | "out"
    type: str
    wa_message_id: str | None
    is_internal_note: bool = False
    sent_by: str | None = None
    has_media: bool = False


@dataclass(frozen=True, slots=True)
class MessageStatusChanged(InboxEvent):
    """An outbound message's delivery state moved (always forward)."""

    message_id: int
    conversation_id: int
    number_id: int
    status: str
    at: datetime
    failure_reason: str | None = None


@dataclass(frozen=True, slots=True)
class MessageMediaUpdated(InboxEvent):
    """A message's media was stored, or an attempt failed (``media_status`` says which)."""

    message_id: int
    conversation_id: int
    media_status: str
    media_error: str | None = None
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class ConversationUpdated(InboxEvent):
    """A conversation row changed; ``change`` names why (see :class:`ConversationChange`)."""

    conversation_id: int
    number_id: int
    contact_id: int
    change: str
    status: str
    assignee_id: int | None
    department_id: int | None
    unread_count: int
    last_message_at: datetime
    last_message_preview: str | None


class ConversationChange:
    MESSAGE = "message"
    CREATED = "created"
    READ = "read"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    STATUS = "status"
    MERGED = "merged"


@dataclass(frozen=True, slots=True)
class ConversationRead(InboxEvent):
    """An attendant opened the conversation; who sends read receipts listens to this."""

    conversation_id: int
    number_id: int
    chat_jid: str | None
    wa_message_ids: tuple[str, ...]
    by_user_id: int


@dataclass(frozen=True, slots=True)
class TypingIndicated(InboxEvent):
    """Transient: the customer is (or stopped) typing. Never stored."""

    number_id: int
    conversation_id: int
    typing: bool
    recording: bool = False


@dataclass(frozen=True, slots=True)
class DepartmentMembershipChanged(InboxEvent):
    """A user joined or left a department (or one of theirs was deleted)."""

    user_id: int


@dataclass(frozen=True, slots=True)
class OutboundQueued(InboxEvent):
    """An outbound message is waiting for the sender (also handed to the OutboxNotifier)."""

    message_id: int
    conversation_id: int
    number_id: int
    wa_message_id: str
