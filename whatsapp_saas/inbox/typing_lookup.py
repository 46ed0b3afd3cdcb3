"""Which conversation a "typing…" signal belongs to (read-only; typing is never stored)."""

from __future__ import annotations

from collections import OrderedDict

import sqlalchemy as sa

from whatsapp_saas.contacts.ids import identity_of
from whatsapp_saas.contacts.models import ContactIdentity
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Conversation

CACHE_SIZE = 10_000
_cache: OrderedDict[tuple[int, int, str], int] = OrderedDict()


def conversation_for_chat(tenant_id: int, number_id: int, chat: str) -> int | None:
    """The conversation of (number, the contact behind ``chat``), if one exists."""
    key = (tenant_id, number_id, chat)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    ident = identity_of(chat)
    if ident is None:
        return None
    with session_scope() as session:
        found = session.execute(
            sa.select(Conversation.id)  # type: ignore[call-overload]
            .join(ContactIdentity, ContactIdentity.contact_id == Conversation.contact_id)
            .where(ContactIdentity.tenant_id == tenant_id)
            .where(ContactIdentity.kind == ident.kind, ContactIdentity.value == ident.value)
            .where(Conversation.number_id == number_id)
        ).scalar_one_or_none()
    if found is not None:  # only hits are cached: a conversation may appear any moment
        _cache[key] = found
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def forget_cache() -> None:
    """Merges can move conversations; tests and merges clear this."""
    _cache.clear()
