"""Translation between simulator frames and gateway types."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from whatsapp_saas import phones
from whatsapp_saas.simulator.protocol import Frame
from whatsapp_saas.whatsapp.gateway import (
    ChatPresenceChanged,
    InvalidRecipient,
    MediaKind,
    MediaRef,
    MessageReceived,
    OutboundMedia,
    ReceiptKind,
    ReceiptReceived,
)


def address(to: str) -> str:
    """What the simulator accepts as a recipient: E.164 or a LID; InvalidRecipient otherwise."""
    if phones.is_lid(to):
        lid = phones.parse_lid(to)
        if lid is not None:
            return lid
    else:
        phone = phones.to_e164(to, None, valid=False)
        if phone is not None:
            return phone
    raise InvalidRecipient(f"not a WhatsApp address: {to!r}")


def timestamp(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def media_ref(data: dict[str, Any] | None) -> MediaRef | None:
    if not data:
        return None
    return MediaRef(
        kind=MediaKind(data["kind"]),
        mimetype=str(data["mimetype"]),
        locator=str(data["media_id"]),
        filename=data.get("filename"),
        size=data.get("size"),
        voice_note=bool(data.get("voice_note", False)),
    )


def message_event(session_id: str, frame: Frame) -> MessageReceived:
    return MessageReceived(
        session_id=session_id,
        message_id=str(frame["id"]),
        chat=str(frame["chat"]),
        sender_jid=frame.get("sender_jid"),
        sender_lid=frame.get("sender_lid"),
        push_name=str(frame.get("push_name") or ""),
        timestamp=timestamp(frame["timestamp"]),
        text=str(frame.get("text") or ""),
        media=media_ref(frame.get("media")),
        quoted_id=frame.get("quoted_id"),
    )


def receipt_event(session_id: str, frame: Frame) -> ReceiptReceived:
    return ReceiptReceived(
        session_id=session_id,
        kind=ReceiptKind(frame["kind"]),
        chat=str(frame["chat"]),
        message_ids=tuple(str(i) for i in frame["message_ids"]),
        timestamp=timestamp(frame["timestamp"]),
    )


def presence_event(session_id: str, frame: Frame) -> ChatPresenceChanged:
    return ChatPresenceChanged(
        session_id=session_id,
        chat=str(frame["chat"]),
        typing=bool(frame.get("typing")),
        recording=bool(frame.get("recording")),
    )


def media_payload(media: OutboundMedia) -> dict[str, Any]:
    return {
        "kind": media.kind.value,
        "mimetype": media.mimetype,
        "filename": media.filename,
        "caption": media.caption,
        "voice_note": media.voice_note,
        "seconds": media.seconds,
        "data_b64": base64.b64encode(media.data).decode(),
    }
