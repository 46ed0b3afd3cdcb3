"""Domain events of the inbox: frozen, past tense, carrying ``tenant_id``.

All but :class:`TypingIndicated` are recorded in the transaction that wrote them and
announced after it commits (:func:`whatsapp_saas.db.announce_after_commit`). They carry ids and
the few fields a browser needs to update a row without a reload; anything else is re-read from
the database.

The specific past-tense classes (:class:`MessageReceived`, :class:`MessageDelivered`,
:class:`ConversationResolved`, ...) subclass the general ones, and the bus dispatches by class
hierarchy: a handler of :class:`MessageStatusChanged` hears every status, one of
:class:`MessageRead` only reads. Services emit the most specific class (see the factories at
the end of this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar


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
class MessageReceived(MessageStored):
    """A customer's message arrived and was stored (inbound, never a note)."""


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
class MessageSent(MessageStatusChanged):
    """WhatsApp accepted our message."""


@dataclass(frozen=True, slots=True)
class MessageDelivered(MessageStatusChanged):
    """It reached the customer's phone."""


@dataclass(frozen=True, slots=True)
class MessageRead(MessageStatusChanged):
    """The customer read it."""


@dataclass(frozen=True, slots=True)
class MessageFailed(MessageStatusChanged):
    """It could not be sent (``failure_reason`` says why)."""


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


@dataclass(frozen=True, slots=True)
class ConversationOpened(ConversationUpdated):
    """A conversation was started by an attendant, or reopened."""


@dataclass(frozen=True, slots=True)
class ConversationAssigned(ConversationUpdated):
    """It was assigned (or transferred) to someone, a department, or nobody."""


@dataclass(frozen=True, slots=True)
class ConversationResolved(ConversationUpdated):
    """An attendant resolved it."""


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

    live_only: ClassVar[bool] = True

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
    """An outbound message is waiting for the sender (the outbound waker hears it after commit)."""

    message_id: int
    conversation_id: int
    number_id: int
    wa_message_id: str


STATUS_EVENTS: dict[str, type[MessageStatusChanged]] = {
    "sent": MessageSent,
    "delivered": MessageDelivered,
    "read": MessageRead,
    "failed": MessageFailed,
}


def status_changed(*fields: Any) -> MessageStatusChanged:
    """The specific status event (``fields`` as for :class:`MessageStatusChanged`)."""
    status = fields[4]
    return STATUS_EVENTS.get(str(status), MessageStatusChanged)(*fields)


def stored(**fields: Any) -> MessageStored:
    """:class:`MessageReceived` for a customer's message, else :class:`MessageStored`."""
    inbound = fields.get("direction") == "in" and not fields.get("is_internal_note", False)
    return (MessageReceived if inbound else MessageStored)(**fields)


def conversation_changed(**fields: Any) -> ConversationUpdated:
    """The specific conversation event for ``change`` (and the status it left)."""
    change, status = fields.get("change"), str(fields.get("status"))
    kind: type[ConversationUpdated] = ConversationUpdated
    if change == ConversationChange.CREATED or (
        change == ConversationChange.STATUS and status == "open"
    ):
        kind = ConversationOpened
    elif change in (ConversationChange.ASSIGNED, ConversationChange.TRANSFERRED):
        kind = ConversationAssigned
    elif change == ConversationChange.STATUS and status == "resolved":
        kind = ConversationResolved
    return kind(**fields)
