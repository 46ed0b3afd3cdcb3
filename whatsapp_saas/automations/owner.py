"""The conversation owner: who answers the customer now, a human, a flow or the AI.

A human reply from the inbox, or a from-me message sent from the business's own phone (one
we did not send), makes the owner ``human``: automated replies pause. The pause lapses when the
conversation is resolved after the takeover, or after the tenant's idle time
(``AutomationSettings.pause_minutes``) without another human message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope


class Owner(StrEnum):
    HUMAN = "human"
    FLOW = "flow"
    AI = "ai"


def owner_of(conversation: Conversation, pause_minutes: int, now: datetime) -> Owner:
    """The effective owner: a human takeover that lapsed counts as the flow again."""
    kind = Owner(conversation.owner_kind or Owner.FLOW.value)
    if kind is not Owner.HUMAN or conversation.owner_since is None:
        return kind
    since = as_utc(conversation.owner_since)
    if conversation.resolved_at is not None and as_utc(conversation.resolved_at) >= since:
        return Owner.FLOW
    if pause_minutes > 0 and now - since >= timedelta(minutes=pause_minutes):
        return Owner.FLOW
    return Owner.HUMAN


def current_owner(session: Session, conversation_id: int) -> Owner:
    """The owner of a conversation now (the inbox shows it)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError(conversation_id)
    scope = TenantScope(session, conversation.tenant_id)
    return owner_of(conversation, settings_for(scope).pause_minutes, utcnow())


def set_owner(
    scope: TenantScope, conversation_id: int, kind: str, *, at: datetime | None = None
) -> Conversation:
    """Hand the conversation to ``kind`` (the inbox's switch, a rule's action, a takeover)."""
    try:
        owner = Owner(kind)
    except ValueError as exc:
        raise UserError("error.auto_owner_invalid") from exc
    conversation = scope.get(Conversation, conversation_id)
    conversation.owner_kind = owner.value
    conversation.owner_since = at or utcnow()
    scope.session.add(conversation)
    scope.session.flush()
    return conversation


def human_took_over(scope: TenantScope, conversation_id: int, at: datetime | None = None) -> None:
    """A person wrote to the customer: automated replies pause (the idle clock restarts)."""
    set_owner(scope, conversation_id, Owner.HUMAN.value, at=at)
