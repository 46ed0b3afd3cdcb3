"""The simulated network's records: linked devices, phones, media. Plain data, no I/O."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from whatsapp_saas import phones
from whatsapp_saas.simulator.ids import iso, parse_iso


@dataclass(slots=True)
class Device:
    """A companion device linked to a business phone (what the driver's store proves)."""

    device_id: str
    secret: str
    phone: str
    push_name: str
    session_id: str
    device_name: str
    revoked: str | None = None  # why it was unlinked; a revoked device never logs in again

    @property
    def jid(self) -> str:
        return phones.to_jid(self.phone)

    def credentials(self) -> dict[str, str]:
        return {
            "device_id": self.device_id,
            "secret": self.secret,
            "phone": self.phone,
            "push_name": self.push_name,
            "jid": self.jid,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Device:
        return cls(**data)


@dataclass(slots=True)
class Media:
    media_id: str
    kind: str
    mimetype: str
    data: bytes
    filename: str | None = None
    voice_note: bool = False
    seconds: int | None = None  # the duration the sender declared (voice notes)

    def info(self) -> dict[str, Any]:
        """What a phone's inbox shows about an attachment (the control API's shape)."""
        return {
            "kind": self.kind,
            "mimetype": self.mimetype,
            "filename": self.filename,
            "size": len(self.data),
            "ptt": self.voice_note,
            "seconds": self.seconds,
        }

    def ref(self) -> dict[str, Any]:
        """What the driver needs to build a MediaRef and download it later."""
        return {**self.info(), "media_id": self.media_id, "voice_note": self.voice_note}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["data"] = base64.b64encode(self.data).decode()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Media:
        return cls(**{**data, "data": base64.b64decode(data["data"])})


@dataclass(slots=True)
class Received:
    """A message a phone received from a business session."""

    id: str
    sender: str  # the business phone, E.164
    text: str
    timestamp: datetime
    media: Media | None = None
    quoted_id: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "from": self.sender,
            "text": self.text,
            "media": self.media.info() if self.media else None,
            "media_id": self.media.media_id if self.media else None,
            "quoted_id": self.quoted_id,
            "timestamp": iso(self.timestamp),
        }

    def to_dict(self) -> dict[str, Any]:
        data = self.to_api()
        data["media"] = self.media.media_id if self.media else None
        return data


@dataclass(slots=True)
class Phone:
    """One WhatsApp account, seen from the network: as a customer, a business, or both."""

    number: str
    push_name: str = ""
    lid: str | None = None
    inbox: dict[str, Received] = field(default_factory=dict)
    duplicates: int = 0
    # Read receipts that businesses sent for messages this phone wrote.
    read_receipts: list[dict[str, Any]] = field(default_factory=list)
    typing_from: dict[str, bool] = field(default_factory=dict)
    # Events for this phone's linked device, by ack key, until the driver acknowledges them.
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "push_name": self.push_name,
            "lid": self.lid,
            "inbox": [msg.to_dict() for msg in self.inbox.values()],
            "duplicates": self.duplicates,
            "read_receipts": self.read_receipts,
            "typing_from": self.typing_from,
            "pending": self.pending,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], media: dict[str, Media]) -> Phone:
        phone = cls(
            number=data["number"],
            push_name=data.get("push_name", ""),
            lid=data.get("lid"),
            duplicates=data.get("duplicates", 0),
            read_receipts=data.get("read_receipts", []),
            typing_from=data.get("typing_from", {}),
            pending=data.get("pending", {}),
        )
        for item in data.get("inbox", []):
            phone.inbox[item["id"]] = Received(
                id=item["id"],
                sender=item["from"],
                text=item["text"],
                timestamp=parse_iso(item["timestamp"]),
                media=media.get(item["media"]) if item.get("media") else None,
                quoted_id=item.get("quoted_id"),
            )
        return phone
