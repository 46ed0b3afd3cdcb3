"""The automation engine's entry point on the event bus.

:func:`handle_message_stored` is idempotent and self-contained (its own session, rows re-read
by id), so it can move unchanged onto the durable event spine: delivering the same event twice
fires nothing the second time (see :mod:`whatsapp_saas.automations.engine`).

Inbound messages run the rules. Outbound messages need nothing here: a person's message (an
attendant's reply, or a from-me message from the business's phone) pauses automated replies
because the engine reads it when it judges the next inbound message (see ``owner``).
"""

from __future__ import annotations

import logging

from whatsapp_saas.automations.engine import Outcome, RuleCache, handle_inbound
from whatsapp_saas.db import session_scope
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.events import MessageStored
from whatsapp_saas.inbox.models import Direction
from whatsapp_saas.tenancy.scope import TenantScope

log = logging.getLogger(__name__)


def handle_message_stored(event: MessageStored, cache: RuleCache | None = None) -> Outcome | None:
    if event.is_internal_note or event.direction != Direction.IN.value:
        return None  # never on our own, a colleague's or the phone's messages
    with session_scope() as session:
        return handle_inbound(TenantScope(session, event.tenant_id), event.message_id, cache=cache)


def register(bus: EventBus) -> None:
    cache = RuleCache()

    def on_message_stored(event: MessageStored) -> None:
        handle_message_stored(event, cache)

    bus.subscribe(MessageStored, on_message_stored)
