"""Read receipts: when an attendant opens a conversation and the company wants it, the
customer's phone shows blue ticks.

Registered in ``HANDLER_MODULES``; it hears :class:`ConversationRead` after the read state is
committed and asks the number's owning manager node to send the receipts (best effort).
"""

from __future__ import annotations

from collections.abc import Callable

from whatsapp_saas.db import session_scope
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.live import LiveParts
from whatsapp_saas.inbox.events import ConversationRead
from whatsapp_saas.tenancy.models import Tenant


def on_conversation_read(parts: LiveParts) -> Callable[[ConversationRead], None]:
    """Receipts go through the graph's control channel (``App.control``)."""

    def read(event: ConversationRead) -> None:
        if not event.wa_message_ids or not event.chat_jid:
            return
        with session_scope() as session:
            tenant = session.get(Tenant, event.tenant_id)
            wanted = bool(tenant and tenant.send_read_receipts)
        if wanted:
            parts.control.send_read_receipts(
                event.number_id, event.chat_jid, list(event.wa_message_ids)
            )

    return read


def register(bus: EventBus, parts: LiveParts) -> None:
    bus.subscribe(ConversationRead, on_conversation_read(parts))
