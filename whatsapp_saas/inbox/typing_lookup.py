"""Which conversation a "typing…" signal belongs to (read-only; typing is never stored)."""

from __future__ import annotations

from collections import OrderedDict

import sqlalchemy as sa

from whatsapp_saas.contacts.ids import identity_of
from whatsapp_saas.contacts.models import ContactIdentity
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Conversation

CACHE_SIZE = 10_000


class TypingLookup:
    """Finds a chat's conversation, remembering hits (a typing burst asks many times).

    One per ingest pipeline (``IngestPipeline.typing``), so no module holds the cache. A hit
    can go stale only if a merge deletes the conversation: the signal is then dropped by the
    browsers (no such row), which costs one lost "typing…", never data.
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._cache: OrderedDict[tuple[int, int, str], int] = OrderedDict()

    def conversation_for_chat(self, tenant_id: int, number_id: int, chat: str) -> int | None:
        """The conversation of (number, the contact behind ``chat``), if one exists."""
        key = (tenant_id, number_id, chat)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        found = _lookup(tenant_id, number_id, chat)
        if found is not None:  # only hits are cached: a conversation may appear any moment
            self._cache[key] = found
            if len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return found

    def forget(self) -> None:
        self._cache.clear()


def _lookup(tenant_id: int, number_id: int, chat: str) -> int | None:
    ident = identity_of(chat)
    if ident is None:
        return None
    with session_scope() as session:
        found: int | None = session.execute(
            sa.select(Conversation.id)  # type: ignore[call-overload]
            .join(ContactIdentity, ContactIdentity.contact_id == Conversation.contact_id)
            .where(ContactIdentity.tenant_id == tenant_id)
            .where(ContactIdentity.kind == ident.kind, ContactIdentity.value == ident.value)
            .where(Conversation.number_id == number_id)
        ).scalar_one_or_none()
    return found
