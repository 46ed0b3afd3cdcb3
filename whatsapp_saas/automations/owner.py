"""The conversation owner: who answers the customer now, a human, a flow or the AI.

A human reply from the inbox, or a from-me message sent from the business's own phone (one
we did not send: stored by ingest with no ``sent_by``), makes the owner ``human``: automated
replies pause. The pause lapses when the conversation is resolved after that message, or after
the tenant's idle time (``AutomationSettings.pause_minutes``) without another human message.

The takeover is read from the messages themselves (one indexed query when a rule is about to
answer), so an attendant's reply costs no extra write. An explicit owner (the inbox's switch,
a rule's "hand to a human") is stored on the conversation (``owner_kind``, ``owner_since``)
and lapses the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations.ai import assistant_configured
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.access import get_conversation
from whatsapp_saas.inbox.models import Conversation, Direction, Message, SentBy
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope


class Owner(StrEnum):
    HUMAN = "human"
    FLOW = "flow"
    AI = "ai"


def _lapsed(conversation: Conversation, since: datetime, pause: int, now: datetime) -> bool:
    if conversation.resolved_at is not None and as_utc(conversation.resolved_at) >= since:
        return True
    return pause > 0 and now - since >= timedelta(minutes=pause)


def owner_of(
    conversation: Conversation,
    pause_minutes: int,
    now: datetime,
    last_human_at: datetime | None = None,
) -> Owner:
    """The effective owner: an explicit one unless it lapsed, else a recent human message's."""
    kind = Owner(conversation.owner_kind or Owner.FLOW.value)
    since = conversation.owner_since
    explicit = kind is not Owner.FLOW and since is not None
    if explicit and not _lapsed(conversation, as_utc(since), pause_minutes, now):  # type: ignore[arg-type]
        return kind
    given_back = kind is Owner.FLOW and since is not None and last_human_at is not None
    if given_back and as_utc(last_human_at) <= as_utc(since):  # type: ignore[arg-type]
        return Owner.FLOW  # given back to automations after the human's last message
    if last_human_at is not None and not _lapsed(
        conversation, as_utc(last_human_at), pause_minutes, now
    ):
        return Owner.HUMAN
    return Owner.FLOW


def last_human_message_at(scope: TenantScope, *, conversation_id: int) -> datetime | None:
    """When a person last wrote to the customer: an attendant, or the phone itself."""
    t: sa.Table = Message.__table__  # type: ignore[attr-defined]
    query = (
        sa.select(t.c.created_at)
        .where(t.c.tenant_id == scope.tenant_id, t.c.conversation_id == conversation_id)
        .where(t.c.direction == Direction.OUT.value, t.c.is_internal_note.is_(False))
        .where(sa.or_(t.c.sent_by == SentBy.AGENT.value, t.c.sent_by.is_(None)))
        .order_by(t.c.id.desc())
        .limit(1)
    )
    return scope.session.execute(query).scalar()


def effective_owner(scope: TenantScope, *, conversation: Conversation, now: datetime) -> Owner:
    pause = settings_for(scope).pause_minutes
    return owner_of(
        conversation, pause, now, last_human_message_at(scope, conversation_id=conversation.id or 0)
    )


def current_owner(session: Session, *, conversation_id: int) -> Owner:
    """The owner of a conversation now (the inbox shows it)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError(conversation_id)
    return effective_owner(
        TenantScope(session, conversation.tenant_id), conversation=conversation, now=utcnow()
    )


def set_owner(
    scope: TenantScope, *, conversation_id: int, kind: str, at: datetime | None = None
) -> Conversation:
    """Hand the conversation to ``kind`` (the inbox's switch, a rule's action)."""
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


OWNER_CHOICES = ("human", "flow", "ai", "none")


def owner_label(scope: TenantScope, *, conversation: Conversation, now: datetime) -> str:
    """What the inbox shows: "human", "ai", "flow" (a menu session is running) or "none"
    (nobody holds it: automations may answer)."""
    from whatsapp_saas.automations.menus import MenuSession

    owner = effective_owner(scope, conversation=conversation, now=now)
    if owner is not Owner.FLOW:
        return owner.value
    running = scope.first(
        MenuSession,
        MenuSession.conversation_id == conversation.id,
        MenuSession.ended_at == None,  # noqa: E711
    )
    return "flow" if running is not None else "none"


def change_owner(scope: TenantScope, *, conversation_id: int, choice: str) -> Conversation:
    """The inbox's switch: take over (human), hand to the AI, give back to the flow (a running
    menu resumes) or to nobody ("none": a running menu ends). A give-back outranks the
    attendant's earlier replies (see :func:`owner_of`)."""
    from whatsapp_saas.automations.menus import MenuSession

    if choice not in OWNER_CHOICES:
        raise UserError("error.auto_owner_invalid")
    if choice == Owner.AI.value and not assistant_configured(scope):
        raise UserError("error.auto_no_ai")  # nobody would answer the customer
    now = utcnow()
    conversation = set_owner(
        scope,
        conversation_id=conversation_id,
        kind=Owner.FLOW.value if choice == "none" else choice,
        at=now,
    )
    if choice == "none":
        for session in scope.all(MenuSession, MenuSession.conversation_id == conversation_id):
            if session.ended_at is None:
                session.ended_at, session.end_reason = now, "given_back"
                scope.session.add(session)
        scope.session.flush()
    return conversation


def shown_owner(scope: TenantScope, *, actor: CurrentUser, conversation_id: int) -> str:
    """The owner the inbox header shows, for a conversation the viewer may see."""
    conversation = get_conversation(
        scope, actor=actor, conversation_id=conversation_id
    )  # hidden: NotFound
    return owner_label(scope, conversation=conversation, now=utcnow())


def change_owner_as(
    scope: TenantScope, *, actor: CurrentUser, conversation_id: int, choice: str
) -> str:
    """The inbox's switch, by an attendant who may see the conversation; the new label."""
    get_conversation(scope, actor=actor, conversation_id=conversation_id)
    conversation = change_owner(scope, conversation_id=conversation_id, choice=choice)
    return owner_label(scope, conversation=conversation, now=utcnow())
