"""The automation engine on the event spine: durable subscribers of messages and changes.

The runner hands each tenant's new events to a handler inside its own transaction, which
also moves the subscriber's cursor; the engine writes its run rows, replies and tags with
that same session, so a process killed at any point fires each (rule, event) pair once:
either the whole transaction committed, or the event comes again. The run table's unique
idempotency key (``rule:<id>:msg:<message id>``, ``rule:<id>:evt:<event id>``) covers a
repeat anyway.

Inbound messages run the message rules. Outbound messages need nothing here: a person's
message (an attendant's reply, or a from-me message from the business's phone) pauses
automated replies because the engine reads it when it judges the next inbound message (see
``owner``). Conversation, tag, field and deal events run the rules of their trigger kind
(:func:`happening_of` maps each event), under their own subscriber so a slow CRM burst
never delays a reply. A rule's inbound URL records ``WebhookReceived``, which runs that rule
(``hook_engine``) under a third subscriber.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import Session

from whatsapp_saas.automations.engine import Outcome, RuleCache, handle_inbound
from whatsapp_saas.automations.event_rules import Happening, handle_event
from whatsapp_saas.automations.events import WebhookReceived
from whatsapp_saas.automations.hook_engine import handle_hook
from whatsapp_saas.contacts.events import ContactFieldChanged, ContactTagAdded, ContactTagRemoved
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals.events import DealStageChanged
from whatsapp_saas.deals.models import Stage
from whatsapp_saas.events.subscriber import Delivery, Subscriber
from whatsapp_saas.inbox.events import (
    ConversationAssigned,
    ConversationChange,
    ConversationOpened,
    ConversationResolved,
    MessageStored,
)
from whatsapp_saas.inbox.models import Direction
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.text_fold import fold

NAME = "automations.rules"
EVENTS_NAME = "automations.events"
HOOKS_NAME = "automations.hooks"  # "Webhook received" rules: a reply, never behind a CRM burst
EVENT_TYPES = (
    ConversationOpened,
    ConversationAssigned,
    ConversationResolved,
    ContactTagAdded,
    ContactTagRemoved,
    ContactFieldChanged,
    DealStageChanged,
)


def subscribers() -> list[Subscriber]:
    cache = RuleCache()

    def handle(session: Session, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            run_rules(session, event=delivery.event, cache=cache)

    events_cache = RuleCache()

    def handle_changes(session: Session, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            run_event_rules(session, delivery=delivery, cache=events_cache)

    def handle_hooks(session: Session, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            scope = TenantScope(session, delivery.tenant_id)
            handle_hook(scope, event_id=delivery.event_id, event=delivery.event)

    # Small batches: a reply is queued as soon as its own message is judged.
    return [
        Subscriber(NAME, (MessageStored,), handle, batch_size=50),
        Subscriber(EVENTS_NAME, EVENT_TYPES, handle_changes, batch_size=100),
        Subscriber(HOOKS_NAME, (WebhookReceived,), handle_hooks, batch_size=50),
    ]


def run_rules(session: Session, *, event: MessageStored, cache: RuleCache | None) -> Outcome | None:
    if event.is_internal_note or event.direction != Direction.IN.value:
        return None  # never on our own, a colleague's or the phone's messages
    return handle_inbound(
        TenantScope(session, event.tenant_id), message_id=event.message_id, cache=cache
    )


def happening_of(event_id: int, event: Any) -> Happening | None:
    """Which trigger kind an event is (None: none of the rules' triggers)."""
    if isinstance(event, ConversationOpened):
        kind = "conversation_opened"
        if event.change == ConversationChange.STATUS:
            kind = "conversation_reopened"
    elif isinstance(event, ConversationAssigned):
        kind = "conversation_assigned"
        if event.change == ConversationChange.TRANSFERRED:
            kind = "conversation_transferred"
    elif isinstance(event, ConversationResolved):
        kind = "conversation_resolved"
    else:
        return _contact_happening(event_id, event)
    return Happening(event_id, kind, event.contact_id, event.conversation_id, {})


def _contact_happening(event_id: int, event: Any) -> Happening | None:
    if isinstance(event, (ContactTagAdded, ContactTagRemoved)):
        kind = "tag_added" if isinstance(event, ContactTagAdded) else "tag_removed"
        detail: dict[str, Any] = {"tag": fold(event.tag).strip()}
        return Happening(event_id, kind, event.contact_id, None, detail)
    if isinstance(event, ContactFieldChanged):
        return Happening(event_id, "field_changed", event.contact_id, None, {"field": event.field})
    if isinstance(event, DealStageChanged):
        detail = {"pipeline_id": event.pipeline_id, "stage_id": event.to_stage_id}
        return Happening(
            event_id, "deal_stage_changed", event.contact_id, event.conversation_id, detail
        )
    return None


def run_event_rules(
    session: Session, *, delivery: Delivery, cache: RuleCache | None
) -> Outcome | None:
    happening = happening_of(delivery.event_id, delivery.event)
    if happening is None:
        return None
    scope = TenantScope(session, delivery.tenant_id)
    if isinstance(delivery.event, DealStageChanged):
        # "Moved to Won" filters on the stage's outcome, which the event does not carry.
        stage = session.get(Stage, delivery.event.to_stage_id)
        outcome = stage.outcome if stage is not None else ""
        happening = replace(happening, detail={**(happening.detail or {}), "outcome": outcome})
    return handle_event(scope, happening=happening, cache=cache)


def handle_message_stored(event: MessageStored, cache: RuleCache | None = None) -> Outcome | None:
    """One event in a transaction of its own (tests, the dry run's neighbours)."""
    with session_scope() as session:
        return run_rules(session, event=event, cache=cache)
