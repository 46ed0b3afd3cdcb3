"""Not answering other bots: a per-tenant ignore list, and a heuristic.

Two bots answering each other loop until a cap stops them. A sender is taken for a bot when
its phone is on the tenant's ignore list, when it sent more than ``bot_max_per_minute``
inbound messages in the last minute (people do not type that fast; auto-responders do), or
when the text reads like an auto-reply ("mensagem automática", "out of office", ...).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa

from whatsapp_saas.automations.models import AutomationSettings
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.models import Direction, Message
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.text_fold import fold

# Folded (no accents, lower case): what auto-responders typically say.
AUTO_REPLY = re.compile(
    r"mensagem automatica|resposta automatica|esta e uma mensagem automatica|"
    r"auto.?reply|automatic reply|automated message|out of office|fora do escritorio|"
    r"nao responda esta mensagem|do not reply to this|obrigado por entrar em contato.{0,40}"
    r"(em breve|retornaremos)|thank you for (your message|contacting).{0,40}(shortly|soon)"
)


def _digits(value: str | None) -> str:
    return "".join(ch for ch in value or "" if ch.isdigit())


def ignored(settings: AutomationSettings, contact: Contact) -> bool:
    phone = _digits(contact.phone)
    return bool(phone) and phone in {_digits(p) for p in settings.bot_ignore_phones or []}


def looks_automatic(text: str | None) -> bool:
    return AUTO_REPLY.search(fold(text or "")) is not None


def too_fast(
    scope: TenantScope, *, settings: AutomationSettings, conversation_id: int, now: datetime
) -> bool:
    limit = settings.bot_max_per_minute
    if limit <= 0:
        return False
    t: sa.Table = Message.__table__  # type: ignore[attr-defined]
    query = (
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.tenant_id == scope.tenant_id, t.c.conversation_id == conversation_id)
        .where(t.c.direction == Direction.IN.value, t.c.created_at >= now - timedelta(minutes=1))
    )
    return int(scope.session.execute(query).scalar_one()) > limit


def bot_reason(
    scope: TenantScope,
    *,
    settings: AutomationSettings,
    contact: Contact,
    message: Message,
    now: datetime,
) -> str | None:
    """Why this sender looks like a bot (for the run log), or None."""
    if ignored(settings, contact):
        return "ignore_list"
    if looks_automatic(message.body or message.caption):
        return "auto_reply_text"
    if too_fast(scope, settings=settings, conversation_id=message.conversation_id, now=now):
        return "too_many_per_minute"
    return None
