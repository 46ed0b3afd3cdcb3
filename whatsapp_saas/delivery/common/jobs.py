"""What travels between the claiming worker and the node that sends: plain, JSON-safe data.

A job never carries media bytes (they can be 100 MB): the sending node reads them from the
media store by key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from whatsapp_saas.inbox.models import SentBy

# Sends that wait for quiet hours and are spaced out; the rest are live replies.
BULK_SENDERS = frozenset({SentBy.CAMPAIGN.value, SentBy.SCHEDULE.value})


@dataclass(frozen=True, slots=True)
class SendJob:
    message_id: int
    tenant_id: int
    number_id: int
    conversation_id: int
    wa_message_id: str
    to: str  # JID
    type: str
    text: str | None = None
    caption: str | None = None
    quoted_wa_id: str | None = None
    media_kind: str | None = None
    media_mimetype: str | None = None
    media_filename: str | None = None
    media_key: str | None = None
    sent_by: str | None = None
    media_seconds: int | None = None

    @property
    def bulk(self) -> bool:
        return self.sent_by in BULK_SENDERS

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> SendJob:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """The node's answer for one job: sent (with WhatsApp's id and time) or a failure."""

    message_id: int
    ok: bool
    wa_message_id: str | None = None
    timestamp: str | None = None  # ISO 8601
    transient: bool = True
    reason: str | None = None  # i18n key (see reasons.py)
    detail: str = ""

    @property
    def sent_at(self) -> datetime | None:
        return datetime.fromisoformat(self.timestamp) if self.timestamp else None

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> SendOutcome:
        return cls(**data)

    @classmethod
    def failed(cls, message_id: int, transient: bool, reason: str, detail: str = "") -> SendOutcome:
        return cls(message_id, False, transient=transient, reason=reason, detail=detail)
