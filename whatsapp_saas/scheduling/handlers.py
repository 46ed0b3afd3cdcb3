"""Reacting to the inbox, after commit: replies and resolves cancel follow-ups, stop keywords
opt the contact out.

Registered from :mod:`whatsapp_saas.bootstrap` (``register``): an inbox hook for inbound
messages (run by the ingest pipeline after each commit) and bus handlers for conversation
changes and our own outbound messages. All of it is also re-checked by the dispatchers and
by :mod:`.optout_scan`, so a hook lost in a crash costs only immediacy, never correctness.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa

from whatsapp_saas.db import session_scope
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.inbox.events import ConversationChange, ConversationUpdated, MessageStored
from whatsapp_saas.inbox.hooks import register_batch_hook
from whatsapp_saas.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageType,
    SentBy,
)
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.followups import (
    cancel_follow_ups,
    cancel_follow_ups_of,
    rebase_follow_up,
)
from whatsapp_saas.scheduling.models import CancelReason
from whatsapp_saas.scheduling.optout import KEYWORD_TEXT_MAX, matched_keyword
from whatsapp_saas.scheduling.optout_effects import opt_out
from whatsapp_saas.scheduling.preferences import stop_keywords
from whatsapp_saas.tenancy.scope import TenantScope

log = logging.getLogger(__name__)


async def on_message_stored(event: MessageStored) -> None:
    """The customer wrote (one message)."""
    await on_messages_stored([event])


async def on_messages_stored(events: Sequence[MessageStored]) -> None:
    """Inbox batch hook: customers wrote. One transaction per tenant in the batch, not one
    per message, so a burst of inbound traffic stays cheap."""
    inbound = [e for e in events if e.direction == Direction.IN.value and not e.is_internal_note]
    if inbound:
        await asyncio.to_thread(customers_wrote, inbound)


def customers_wrote(events: Sequence[MessageStored]) -> None:
    by_tenant: dict[int, list[MessageStored]] = defaultdict(list)
    for event in events:
        by_tenant[event.tenant_id].append(event)
    for tenant_id, items in by_tenant.items():
        with session_scope() as session:
            scope = TenantScope(session, tenant_id)
            conversations = {e.conversation_id for e in items}
            cancel_follow_ups_of(scope, conversations, CancelReason.CUSTOMER_REPLIED)
            detect_opt_outs(scope, [e.message_id for e in items])


def detect_opt_outs(scope: TenantScope, message_ids: Sequence[int]) -> int:
    """Opt out the senders of stop keywords among these messages; returns how many.

    One query finds the few short texts that could be a keyword; the rest of a busy batch
    costs nothing more.
    """
    t: sa.Table = Message.__table__  # type: ignore[attr-defined]
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
            opt_out(scope, contact_id, source="keyword", keyword=keyword, message_id=message_id)
            found += 1
    return found


def on_conversation_updated(event: ConversationUpdated) -> None:
    """Bus handler: resolving a conversation stops its follow-up."""
    if event.change == ConversationChange.STATUS and event.status == ConversationStatus.RESOLVED:
        with session_scope() as session:
            scope = TenantScope(session, event.tenant_id)
            cancel_follow_ups(scope, event.conversation_id, CancelReason.RESOLVED)


def on_outbound_stored(event: MessageStored) -> None:
    """Bus handler: an attendant wrote again, so the follow-up's clock restarts."""
    if event.direction != Direction.OUT.value or event.is_internal_note:
        return
    if event.sent_by != SentBy.AGENT.value:
        return
    with session_scope() as session:
        # One indexed lookup (the partial index of pending follow-ups) when there is none.
        rebase_follow_up(TenantScope(session, event.tenant_id), event.conversation_id, utcnow())


def register(bus: EventBus) -> None:
    bus.subscribe(ConversationUpdated, on_conversation_updated)
    bus.subscribe(MessageStored, on_outbound_stored)
    register_batch_hook(on_messages_stored)
