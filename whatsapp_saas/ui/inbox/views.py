"""Rows the Inbox page shows, as plain strings (no Reflex here, so it is easy to test)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.i18n import translate
from whatsapp_saas.i18n.formatting import format_datetime
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.inbox.queries import ConversationItem
from whatsapp_saas.inbox.system_lines import SYSTEM_MESSAGE_TYPE
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.phones import for_people
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.inbox import formatting

# Delivery ticks as WhatsApp users know them: clock, one grey, two grey, two blue.
TICKS = {
    "queued": ("🕓", "gray"),
    "sending": ("🕓", "gray"),
    "sent": ("✓", "gray"),
    "delivered": ("✓✓", "gray"),
    "read": ("✓✓", "blue"),
    "failed": ("⚠", "red"),
}


# Who sent an outbound message when no attendant did.
SENDER_KEYS = {
    "automation": "ibx.sent_by_automation",
    "ai": "ibx.sent_by_ai",
    "schedule": "ibx.sent_by_schedule",
    "campaign": "ibx.sent_by_campaign",
}


def initials(name: str) -> str:
    """'Olivia Souza' -> 'OS'; 'ana' -> 'A'."""
    words = [w for w in name.split() if w[:1].isalnum()]
    picked = words[:1] + words[1:][-1:]
    return "".join(w[0] for w in picked).upper()


ROW_TAGS_SHOWN = 2  # chips on a list row; the rest is "+N"


def row_tags(tags: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The first tags of a conversation as flat row fields (name, colour), and "+N" for the
    rest, whose names the "+N" chip's tooltip lists."""
    shown = {}
    for i in range(ROW_TAGS_SHOWN):
        name, color = tags[i] if i < len(tags) else ("", "")
        shown[f"tag{i + 1}"], shown[f"tag{i + 1}_color"] = name, color or "gray"
    rest = [name for name, _ in tags[ROW_TAGS_SHOWN:]]
    shown["tags_more"] = f"+{len(rest)}" if rest else ""
    shown["tags_rest"] = ", ".join(rest)
    return shown


def conversation_row(
    item: ConversationItem,
    numbers: dict[int, str],
    agents: dict[int, str] | None = None,
    departments: dict[int, str] | None = None,
    tags: Sequence[tuple[str, str]] = (),
) -> dict[str, str]:
    """One list row; ``tags`` are the conversation's (name, colour), read with the page."""
    conv, contact = item.conversation, item.contact
    assignee = (agents or {}).get(conv.assignee_id or 0, "")
    department = (departments or {}).get(conv.department_id or 0, "")
    return {
        **row_tags(tags),
        "id": str(conv.id),
        "title": contact.display_name,
        "phone": for_people(contact.phone),
        # As WhatsApp lists it: the formatting applied, so without its * _ ~ markers.
        "preview": "".join(p.text for p in formatting.parts(conv.last_message_preview or "")),
        "at": as_utc(conv.last_message_at).isoformat() if conv.last_message_at else "",
        "unread": str(conv.unread_count or 0),
        "status": conv.status,
        "number": numbers.get(conv.number_id, ""),
        "assigned": "yes" if conv.assignee_id else "",
        "assignee": assignee,
        "initials": initials(assignee),
        # The department when there is one (it says where the thread is queued), else the number.
        "tag": department or numbers.get(conv.number_id, ""),
    }


def message_rows(
    scope: TenantScope,
    messages: Sequence[Message],
    zone: str,
    authors: dict[int, str],
    language: str = "pt-BR",
) -> list[dict[str, Any]]:
    quoted = _quoted_previews(scope, messages)
    tz = ZoneInfo(zone)
    return [_message_row(m, tz, quoted, authors, language) for m in messages]


def _message_row(
    m: Message, tz: ZoneInfo, quoted: dict[str, str], authors: dict[int, str], language: str
) -> dict[str, Any]:
    if m.type == SYSTEM_MESSAGE_TYPE:
        return _system_row(m, tz, authors, language)
    tick, tick_color = TICKS.get(m.status or "", ("", "gray"))
    return {
        "id": str(m.id),
        "direction": m.direction,
        "type": m.type,
        "body": m.body or "",
        "caption": m.caption or "",
        "time": _clock(m.created_at, tz, language),
        "at": _iso(m.created_at),  # what the page draws, in the current language (ui.dates)
        "status": m.status or "",
        # Translated in the page (i18n keys), so a language switch relabels at once.
        "tick_key": f"ibx.tick_{m.status}" if m.status else "",
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
        **_sender(m, authors),
        "parts": formatting.rows(m.body or ""),
        "caption_parts": formatting.rows(m.caption or ""),
        "system_key": "",
    }


def _sender(m: Message, authors: dict[int, str]) -> dict[str, str]:
    """Who sent an outbound message: the attendant, or (as an i18n key) what sent it; an
    automation's message also names its rule or menu (``sender_name``: the page shows
    "Automation · Greeting")."""
    if m.direction != "out" or m.is_internal_note:
        return {"sender": "", "sender_key": "", "sender_name": ""}
    if m.author_user_id in authors:
        return {"sender": authors[m.author_user_id or 0], "sender_key": "", "sender_name": ""}
    key = SENDER_KEYS.get(m.sent_by or "", "")
    name = (m.automation_rule or "") if m.sent_by == "automation" else ""
    if name:
        key = "ibx.sent_by_automation_named"
    return {"sender": "", "sender_key": key, "sender_name": name}


def _system_row(m: Message, tz: ZoneInfo, authors: dict[int, str], language: str) -> dict[str, Any]:
    """A system line: its i18n key and parameters, which the page puts together."""
    try:
        payload = json.loads(m.body or "{}")
    except ValueError:
        payload = {}
    blank = dict.fromkeys(_ROW_KEYS, "")
    return blank | {
        "id": str(m.id),
        "direction": "system",
        "system_key": f"ibx.sys_{payload.get('action', '')}",
        "who": authors.get(m.author_user_id or 0, ""),
        "to": str(payload.get("to", "")),
        "department": str(payload.get("department", "")),
        "time": _clock(m.created_at, tz, language),
        "at": _iso(m.created_at),
        "parts": [],
        "caption_parts": [],
    }


# Every key a message row has, so a system line reads like any other row in the page.
_ROW_KEYS = [
    *("type", "body", "caption", "status", "tick_key", "tick", "tick_color", "sender_key"),
    *("failure_reason", "media_kind", "media_status", "media_error", "media_url", "filename"),
    *("quoted", "reactions", "note", "author", "sender"),
]


def merge_reload(shown: list[dict[str, Any]], newest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chat after a live reload: the newest page, plus the older messages already shown.

    A live update reloads only the newest page; without this, an attendant who had scrolled
    up through older messages would lose them (and the place they were reading) on every
    new message. When the newest page does not reach back to what is shown (a burst of new
    messages), the gap would be invisible, so only the newest page is kept.
    """
    if not newest or not shown:
        return newest
    first_new = int(newest[0]["id"])
    older = [m for m in shown if int(m["id"]) < first_new]
    reaches = any(int(m["id"]) >= first_new for m in shown) or not older
    return older + newest if reaches else newest


def _iso(moment: datetime | None) -> str:
    return as_utc(moment).isoformat() if moment is not None else ""


def _clock(moment: datetime | None, tz: ZoneInfo, language: str) -> str:
    return format_datetime(moment, language, tz.key)


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
        "phone": for_people(contact.phone),
        "push_name": contact.push_name or "",
        "contact_id": str(contact.id or ""),
        "tags": ", ".join(contact.tags or []),
        "status": conv.status,
        "assignee_id": str(conv.assignee_id or ""),
        "department_id": str(conv.department_id or ""),
        "number": numbers.get(conv.number_id, ""),
    }
