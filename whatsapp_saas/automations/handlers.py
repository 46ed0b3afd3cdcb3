"""The automation engine on the event spine: a durable subscriber of inbound messages.

The runner hands each tenant's new ``MessageStored`` events to :func:`handle` inside its own
transaction, which also moves the subscriber's cursor; the engine writes its run rows, replies
and tags with that same session, so a process killed at any point fires each (rule, message)
pair once: either the whole transaction committed, or the event comes again. The run table's
unique idempotency key (see :mod:`whatsapp_saas.automations.engine`) covers a repeat anyway.

Inbound messages run the rules. Outbound messages need nothing here: a person's message (an
attendant's reply, or a from-me message from the business's phone) pauses automated replies
because the engine reads it when it judges the next inbound message (see ``owner``).
"""

from __future__ import annotations

from sqlmodel import Session

from whatsapp_saas.automations.engine import Outcome, RuleCache, handle_inbound
from whatsapp_saas.db import session_scope
from whatsapp_saas.events.subscriber import Delivery, Subscriber
from whatsapp_saas.inbox.events import MessageStored
from whatsapp_saas.inbox.models import Direction
from whatsapp_saas.tenancy.scope import TenantScope

NAME = "automations.rules"


def subscribers() -> list[Subscriber]:
    cache = RuleCache()

    def handle(session: Session, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            run_rules(session, delivery.event, cache)

    # Small batches: a reply is queued as soon as its own message is judged.
    return [Subscriber(NAME, (MessageStored,), handle, batch_size=50)]


def run_rules(session: Session, event: MessageStored, cache: RuleCache | None) -> Outcome | None:
    if event.is_internal_note or event.direction != Direction.IN.value:
        return None  # never on our own, a colleague's or the phone's messages
    return handle_inbound(TenantScope(session, event.tenant_id), event.message_id, cache=cache)


def handle_message_stored(event: MessageStored, cache: RuleCache | None = None) -> Outcome | None:
    """One event in a transaction of its own (tests, the dry run's neighbours)."""
    with session_scope() as session:
        return run_rules(session, event, cache)
