"""Read receipts: when an attendant opens a conversation and the company wants it, the
customer's phone shows blue ticks.

Registered in ``HANDLER_MODULES``; it hears :class:`ConversationRead` after the read state is
committed and asks the number's owning manager node to send the receipts (best effort).
"""

from __future__ import annotations

from whatsapp_saas.db import session_scope
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.events import ConversationRead
from whatsapp_saas.tenancy.models import Tenant


def on_conversation_read(event: ConversationRead) -> None:
    if not event.wa_message_ids or not event.chat_jid:
        return
    with session_scope() as session:
        tenant = session.get(Tenant, event.tenant_id)
        wanted = bool(tenant and tenant.send_read_receipts)
    if wanted:
        from whatsapp_saas.whatsapp.manager.control import send_read_receipts

        send_read_receipts(event.number_id, event.chat_jid, list(event.wa_message_ids))


def register(bus: EventBus) -> None:
    bus.subscribe(ConversationRead, on_conversation_read)
