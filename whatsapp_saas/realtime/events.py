"""Typed live updates for the browsers of a tenant: what changed, with the ids to read it by.

They cross processes (a Redis stream in production), so each one encodes to JSON with its
kind. They say *what* changed, never what it now looks like: the web worker that pushes them to
its tabs reads the rows once per batch (see ``whatsapp_saas.ui.inbox_feed``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any, TypeAlias


@dataclass(frozen=True, slots=True)
class ConversationChanged:
    """A conversation's row changed: new activity, read, assigned, transferred, status."""

    tenant_id: int
    conversation_id: int
    number_id: int = 0
    assignee_id: int | None = None
    department_id: int | None = None


@dataclass(frozen=True, slots=True)
class MessageAdded:
    tenant_id: int
    conversation_id: int
    message_id: int
    number_id: int = 0


@dataclass(frozen=True, slots=True)
class MessageChanged:
    """A message's delivery status or media moved on."""

    tenant_id: int
    conversation_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class TypingChanged:
    tenant_id: int
    conversation_id: int
    typing: bool
    number_id: int = 0


@dataclass(frozen=True, slots=True)
class NumbersChanged:
    """A WhatsApp number's state or QR code changed (the numbers page and the QR dialog)."""

    tenant_id: int
    number_id: int


@dataclass(frozen=True, slots=True)
class AccessChanged:
    """A user's role or active flag changed: their open tabs are checked again."""

    tenant_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class MembershipChanged:
    """A user joined or left a department: what their inbox may show changed."""

    tenant_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class DealsChanged:
    """Deals moved or changed on a pipeline board: the stage columns to reload (or the whole
    pipeline when ``structure``), and the contact whose deals section to reload."""

    tenant_id: int
    pipeline_id: int
    stages: tuple[int, ...] = ()
    contact_id: int | None = None
    structure: bool = False


@dataclass(frozen=True, slots=True)
class ContactsChanged:
    """A contact's profile changed (fields, tags, notes, opt-out): open panels and profile
    pages showing it reload it; other tabs only see the tick."""

    tenant_id: int
    contact_id: int


@dataclass(frozen=True, slots=True)
class HandoffRequested:
    """A customer waits for a person: the inboxes of ``user_ids`` show an alert (the hub
    reads the conversation's title; each tab still checks that its user may see it)."""

    tenant_id: int
    conversation_id: int
    user_ids: tuple[int, ...] = ()


RealtimeEvent: TypeAlias = (
    ConversationChanged
    | MessageAdded
    | MessageChanged
    | TypingChanged
    | NumbersChanged
    | AccessChanged
    | MembershipChanged
    | DealsChanged
    | ContactsChanged
    | HandoffRequested
)
InboxEvent: TypeAlias = ConversationChanged | MessageAdded | MessageChanged | TypingChanged

KINDS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        ConversationChanged,
        MessageAdded,
        MessageChanged,
        TypingChanged,
        NumbersChanged,
        AccessChanged,
        MembershipChanged,
        DealsChanged,
        ContactsChanged,
        HandoffRequested,
    )
}


def encode(event: RealtimeEvent) -> str:
    return json.dumps({"kind": type(event).__name__, **asdict(event)})


def decode(raw: str | bytes) -> RealtimeEvent | None:
    """The event, or None for a kind this process does not know (a newer publisher)."""
    data = json.loads(raw)
    cls = KINDS.get(str(data.pop("kind", "")))
    if cls is None:
        return None
    known = {f.name for f in fields(cls)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in known}
    event: RealtimeEvent = cls(**values)
    return event
