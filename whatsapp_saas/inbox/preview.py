"""What a conversation row shows for its last message, and message types from engine media."""

from __future__ import annotations

from whatsapp_saas.inbox.models import MessageType
from whatsapp_saas.whatsapp.gateway import MediaKind, MediaRef

PREVIEW_MAX = 200
# Language-neutral markers: the list shows them in any UI language.
ICONS = {
    MessageType.IMAGE: "📷",
    MessageType.AUDIO: "🎵",
    MessageType.VOICE: "🎤",
    MessageType.VIDEO: "🎥",
    MessageType.DOCUMENT: "📄",
    MessageType.STICKER: "💟",
    MessageType.LOCATION: "📍",
    MessageType.CONTACT: "👤",
    MessageType.REACTION: "❤️",
}


def message_type_of(media: MediaRef | None) -> MessageType:
    if media is None:
        return MessageType.TEXT
    if media.kind is MediaKind.AUDIO and media.voice_note:
        return MessageType.VOICE
    return MessageType(media.kind.value)


def preview(kind: str, text: str | None, filename: str | None = None) -> str:
    """One line: the text itself, or an icon plus the caption (or file name)."""
    message_type = MessageType(kind)
    words = " ".join((text or "").split())
    if message_type is MessageType.TEXT:
        return words[:PREVIEW_MAX]
    label = words or (filename or "")
    return f"{ICONS[message_type]} {label}".strip()[:PREVIEW_MAX]
