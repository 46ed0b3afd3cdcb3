"""Quick replies: saved texts an attendant inserts by typing ``/shortcut``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlmodel import col

from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import QuickReply
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

SHORTCUT = re.compile(r"^[\w-]{1,32}$")
TEXT_MAX = 4096


def list_quick_replies(scope: TenantScope, *, prefix: str | None = None) -> Sequence[QuickReply]:
    """All of the tenant's quick replies, or those whose shortcut starts with ``prefix``."""
    query = scope.select(QuickReply).order_by(col(QuickReply.shortcut))
    wanted = (prefix or "").strip().lstrip("/").lower()
    if wanted:
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(QuickReply.shortcut).like(f"{escaped}%", escape="\\"))
    return scope.session.exec(query).all()


def create_quick_reply(scope: TenantScope, *, shortcut: str, text: str) -> QuickReply:
    key = _shortcut(shortcut)
    if scope.first(QuickReply, QuickReply.shortcut == key) is not None:
        raise UserError("error.inbox_quick_reply_taken", shortcut=key)
    reply = scope.add(QuickReply(tenant_id=scope.tenant_id, shortcut=key, text=_text(text)))
    scope.session.flush()
    return reply


def update_quick_reply(
    scope: TenantScope, *, reply_id: int, shortcut: str | None = None, text: str | None = None
) -> QuickReply:
    reply = scope.get(QuickReply, reply_id)
    if shortcut is not None:
        key = _shortcut(shortcut)
        clash = scope.first(QuickReply, QuickReply.shortcut == key)
        if clash is not None and clash.id != reply_id:
            raise UserError("error.inbox_quick_reply_taken", shortcut=key)
        reply.shortcut = key
    if text is not None:
        reply.text = _text(text)
    reply.updated_at = utcnow()
    scope.session.add(reply)
    return reply


def delete_quick_reply(scope: TenantScope, *, reply_id: int) -> None:
    scope.delete(QuickReply, reply_id)


def _shortcut(shortcut: str) -> str:
    key = shortcut.strip().lstrip("/").lower()
    if not SHORTCUT.match(key):
        raise UserError("error.inbox_quick_reply_shortcut_invalid")
    return key


def _text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise UserError("error.inbox_quick_reply_text_required")
    if len(cleaned) > TEXT_MAX:
        raise UserError("error.too_long", limit=TEXT_MAX)
    return cleaned
