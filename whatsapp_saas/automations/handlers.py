"""The automation engine's entry point on the event bus.

:func:`handle_message_stored` is idempotent and self-contained (its own session, rows re-read
by id), so it can move unchanged onto the durable event spine: delivering the same event twice
fires nothing the second time (see :mod:`whatsapp_saas.automations.engine`).

Inbound messages run the rules. Outbound messages written by a person (an attendant's reply,
or a from-me message sent from the business's phone that we did not send) hand the
conversation to a human, which pauses automated replies.
"""

from __future__ import annotations

import logging

from whatsapp_saas.automations.engine import Outcome, RuleCache, handle_inbound
from whatsapp_saas.automations.owner import human_took_over
from whatsapp_saas.db import session_scope
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.events import MessageStored
from whatsapp_saas.inbox.models import Direction, SentBy
from whatsapp_saas.tenancy.scope import TenantScope

log = logging.getLogger(__name__)

# sent_by of outbound messages a person wrote: an attendant, or None (the phone itself; our
# own sends always carry a sender and their echo is deduplicated by its WhatsApp id).
HUMAN_SENDERS = (SentBy.AGENT.value, None)


def handle_message_stored(event: MessageStored, cache: RuleCache | None = None) -> Outcome | None:
    if event.is_internal_note:
        return None
    with session_scope() as session:
        scope = TenantScope(session, event.tenant_id)
        if event.direction == Direction.IN.value:
            return handle_inbound(scope, event.message_id, cache=cache)
        if event.sent_by in HUMAN_SENDERS:
            human_took_over(scope, event.conversation_id)
    return None


def register(bus: EventBus) -> None:
    cache = RuleCache()

    def on_message_stored(event: MessageStored) -> None:
        handle_message_stored(event, cache)

    bus.subscribe(MessageStored, on_message_stored)
