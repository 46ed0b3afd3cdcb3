"""Scheduling reacts to the inbox as a durable subscriber of the event spine: a customer's
reply cancels the conversation's follow-up, a stop keyword opts the contact out, resolving a
conversation stops its follow-up, and an attendant writing again restarts the follow-up's clock.
A second subscriber (:mod:`.merge_effects`) moves opt-outs and scheduled rows after a contact
merge.

Being durable (not an after-commit hook) means a crash between the commit of a message and
these effects only delays them: the runner hands the events over again. So every effect is
idempotent and decided from the rows, not from when the handler happens to run:
- a reply cancels only follow-ups started before the reply was stored (a replay, or a late
  run, never cancels one started afterwards);
- resolving cancels only while the conversation is still resolved;
- the clock restarts from the attendant's message time, which a second run leaves as it is;
- an opt-out is logged once (see :mod:`.optout_effects`).
The dispatchers and :mod:`.optout_scan` still re-check all of it as a second net.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.db import session_scope
from whatsapp_saas.events.subscriber import Delivery, Subscriber
from whatsapp_saas.inbox.events import ConversationResolved, MessageStored
from whatsapp_saas.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageType,
    SentBy,
)
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.scheduling import merge_effects
from whatsapp_saas.scheduling.followups import cancel_follow_ups, rebase_follow_up
from whatsapp_saas.scheduling.models import CancelReason, FollowUp, FollowUpStatus
from whatsapp_saas.scheduling.optout import KEYWORD_TEXT_MAX, matched_keyword
from whatsapp_saas.scheduling.optout_effects import opt_out
from whatsapp_saas.scheduling.preferences import stop_keywords
from whatsapp_saas.tenancy.scope import TenantScope

NAME = "scheduling.hooks"
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]
FOLLOW_UPS: sa.Table = FollowUp.__table__  # type: ignore[attr-defined]


def subscribers() -> list[Subscriber]:
    return [
        Subscriber(NAME, (MessageStored, ConversationResolved), handle, batch_size=500),
        merge_effects.subscriber(),  # opt-outs and scheduled rows follow a contact merge
    ]


def handle(session: Session, deliveries: list[Delivery]) -> None:
    """The durable handler: one tenant's events at a time, inbound ones in one go."""
    by_tenant: dict[int, list[object]] = defaultdict(list)
    for delivery in deliveries:
        by_tenant[delivery.tenant_id].append(delivery.event)
    for tenant_id, events in by_tenant.items():
        scope = TenantScope(session, tenant_id)
        inbound = [e for e in events if _customer_wrote(e)]
        if inbound:
            customers_wrote_in(scope, events=inbound)  # type: ignore[arg-type]
        for event in events:
            if isinstance(event, ConversationResolved):
                resolved(scope, conversation_id=event.conversation_id)
            elif isinstance(event, MessageStored) and _attendant_wrote(event):
                attendant_wrote(scope, event=event)


def _customer_wrote(event: object) -> bool:
    return (
        isinstance(event, MessageStored)
        and event.direction == Direction.IN.value
        and not event.is_internal_note
    )


def _attendant_wrote(event: MessageStored) -> bool:
    return (
        event.direction == Direction.OUT.value
        and not event.is_internal_note
        and event.sent_by == SentBy.AGENT.value
    )


def customers_wrote_in(scope: TenantScope, *, events: Sequence[MessageStored]) -> None:
    """Customers replied: cancel what was running before each reply; catch stop keywords."""
    stored_at = _stored_at(scope, [e.message_id for e in events])
    latest: dict[int, datetime] = {}
    for event in events:
        at = stored_at.get(event.message_id)
        if at is not None and (
            event.conversation_id not in latest or at > latest[event.conversation_id]
        ):
            latest[event.conversation_id] = at
    for conversation_id, at in latest.items():
        _cancel_started_before(scope, conversation_id, at)
    detect_opt_outs(scope, message_ids=[e.message_id for e in events])


def _stored_at(scope: TenantScope, message_ids: list[int]) -> dict[int, datetime]:
    t = MESSAGES
    rows = scope.session.execute(
        sa.select(t.c.id, t.c.created_at).where(
            t.c.tenant_id == scope.tenant_id, t.c.id.in_(message_ids)
        )
    ).all()
    return {int(i): as_utc(at) for i, at in rows}


def _cancel_started_before(scope: TenantScope, conversation_id: int, at: datetime) -> int:
    t = FOLLOW_UPS
    stmt = (
        sa.update(t)
        .where(t.c.tenant_id == scope.tenant_id, t.c.conversation_id == conversation_id)
        .where(t.c.status == FollowUpStatus.PENDING.value, t.c.created_at <= at)
        .values(
            status=FollowUpStatus.CANCELLED.value,
            cancel_reason=CancelReason.CUSTOMER_REPLIED,
            updated_at=utcnow(),
        )
    )
    return int(scope.session.execute(stmt).rowcount or 0)  # type: ignore[attr-defined]


def detect_opt_outs(scope: TenantScope, *, message_ids: Sequence[int]) -> int:
    """Opt out the senders of stop keywords among these messages; returns how many.

    One query finds the few short texts that could be a keyword; the rest of a busy batch
    costs nothing more.
    """
    t = MESSAGES
    candidates = scope.session.execute(
        sa.select(t.c.id, t.c.body, t.c.conversation_id)
        .where(t.c.tenant_id == scope.tenant_id, t.c.id.in_(list(message_ids)))
        .where(t.c.type == MessageType.TEXT.value, t.c.direction == Direction.IN.value)
        .where(sa.func.length(t.c.body) <= KEYWORD_TEXT_MAX)
    ).all()
    if not candidates:
        return 0
    keywords = stop_keywords(scope)
    found = 0
    for message_id, body, conversation_id in candidates:
        keyword = matched_keyword(body or "", keywords)
        if keyword is not None:
            contact_id = scope.get(Conversation, conversation_id).contact_id
            opt_out(
                scope,
                contact_id=contact_id,
                source="keyword",
                keyword=keyword,
                message_id=message_id,
            )
            found += 1
    return found


def resolved(scope: TenantScope, *, conversation_id: int) -> None:
    """Resolving stops the follow-up, if the conversation is still resolved when we look."""
    conversation = scope.session.get(Conversation, conversation_id)
    if conversation is None or conversation.tenant_id != scope.tenant_id:
        return
    if conversation.status == ConversationStatus.RESOLVED.value:
        cancel_follow_ups(scope, conversation_id=conversation_id, reason=CancelReason.RESOLVED)


def attendant_wrote(scope: TenantScope, *, event: MessageStored) -> None:
    """An attendant wrote again, so the follow-up's clock restarts from that message."""
    at = _stored_at(scope, [event.message_id]).get(event.message_id)
    if at is not None:
        # One indexed lookup (the partial index of pending follow-ups) when there is none.
        rebase_follow_up(scope, conversation_id=event.conversation_id, at=at)


# --- direct calls (tests, scripts): the same effects, outside the runner --------------------


def customers_wrote(events: Sequence[MessageStored]) -> None:
    """Apply the inbound effects now, in a transaction of their own."""
    deliveries = [Delivery(0, e.tenant_id, 0, e.conversation_id, e) for e in events]
    with session_scope() as session:
        handle(session, deliveries)


async def on_message_stored(event: MessageStored) -> None:
    """One message's effects, off the event loop (what the runner would do for it)."""
    await asyncio.to_thread(customers_wrote, [event])
