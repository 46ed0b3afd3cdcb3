"""Rows the Inbox page shows, as plain strings (no Reflex here, so it is easy to test)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.i18n import translate
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.inbox.queries import ConversationItem
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.tenancy.scope import TenantScope

# Delivery ticks as WhatsApp users know them: clock, one grey, two grey, two blue.
TICKS = {
    "queued": ("🕓", "gray"),
    "sending": ("🕓", "gray"),
    "sent": ("✓", "gray"),
    "delivered": ("✓✓", "gray"),
    "read": ("✓✓", "blue"),
    "failed": ("⚠", "red"),
}


def conversation_row(item: ConversationItem, numbers: dict[int, str]) -> dict[str, str]:
    conv, contact = item.conversation, item.contact
    return {
        "id": str(conv.id),
        "title": contact.display_name,
        "phone": contact.phone or "",
        "preview": conv.last_message_preview or "",
        "at": as_utc(conv.last_message_at).isoformat() if conv.last_message_at else "",
        "unread": str(conv.unread_count or 0),
        "status": conv.status,
        "number": numbers.get(conv.number_id, ""),
        "assigned": "yes" if conv.assignee_id else "",
    }


def message_rows(
    scope: TenantScope,
    messages: Sequence[Message],
    zone: str,
    authors: dict[int, str],
    language: str = "pt-BR",
) -> list[dict[str, str]]:
    quoted = _quoted_previews(scope, messages)
    tz = ZoneInfo(zone)
    return [_message_row(m, tz, quoted, authors, language) for m in messages]


def _message_row(
    m: Message, tz: ZoneInfo, quoted: dict[str, str], authors: dict[int, str], language: str
) -> dict[str, str]:
    tick, tick_color = TICKS.get(m.status or "", ("", "gray"))
    return {
        "id": str(m.id),
        "direction": m.direction,
        "type": m.type,
        "body": m.body or "",
        "caption": m.caption or "",
        "time": _clock(m.created_at, tz),
        "status": m.status or "",
        "tick": tick if m.direction == "out" and not m.is_internal_note else "",
        "tick_color": tick_color,
        # Failure reasons are i18n keys (delivery.reason_*); anything else shows as it is.
        "failure_reason": translate(language, m.failure_reason) if m.failure_reason else "",
        "media_kind": m.media_kind or "",
        "media_status": m.media_status or "",
        "media_error": m.media_error or "",
        "media_url": f"/media/{m.id}" if m.media_status == "stored" else "",
        "filename": m.media_filename or "",
        "quoted": quoted.get(m.quoted_wa_id or "", ""),
        "reactions": " ".join(str(v) for v in (m.reactions or {}).values()),
        "note": "yes" if m.is_internal_note else "",
        "author": authors.get(m.author_user_id or 0, ""),
    }


def _clock(moment: datetime | None, tz: ZoneInfo) -> str:
    return as_utc(moment).astimezone(tz).strftime("%d/%m %H:%M") if moment else ""


def _quoted_previews(scope: TenantScope, messages: Sequence[Message]) -> dict[str, str]:
    """Text of the messages being quoted, fetched in one query for the whole page."""
    wanted = {m.quoted_wa_id for m in messages if m.quoted_wa_id}
    if not wanted:
        return {}
    rows = scope.all(Message, col(Message.wa_message_id).in_(wanted))
    return {
        r.wa_message_id or "": (r.body or r.caption or r.media_filename or r.type)[:120]
        for r in rows
    }


def conversation_header(
    conv: Conversation, contact: Contact, numbers: dict[int, str]
) -> dict[str, str]:
    return {
        "id": str(conv.id),
        "title": contact.display_name,
        "phone": contact.phone or "",
        "push_name": contact.push_name or "",
        "tags": ", ".join(contact.tags or []),
        "status": conv.status,
        "assignee_id": str(conv.assignee_id or ""),
        "department_id": str(conv.department_id or ""),
        "number": numbers.get(conv.number_id, ""),
    }
