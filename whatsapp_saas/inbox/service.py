"""What the Inbox page can do: plain functions over a :class:`TenantScope` and the actor.

Reads live in :mod:`whatsapp_saas.inbox.queries` and are re-exported here, so the UI imports
one module. Every function checks that the actor may see the conversation (NotFound if not),
writes in the caller's unit of work, and announces its events after commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.contacts.service import contact_address
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox import replies
from whatsapp_saas.inbox.access import get_conversation, get_message
from whatsapp_saas.inbox.conversation_rows import conversation_event, find_or_create_one
from whatsapp_saas.inbox.events import ConversationChange, ConversationRead
from whatsapp_saas.inbox.models import (
    Conversation,
    ConversationStatus,
    Department,
    Direction,
    Message,
    MessageStatus,
)
from whatsapp_saas.inbox.queries import (
    ConversationItem,
    ConversationPage,
    ListFilter,
    MessageHit,
    MessagePage,
    get_messages,
    list_conversations,
    search_messages,
)
from whatsapp_saas.inbox.replies import (
    add_internal_note,
    enqueue_media_reply,
    media_of,
    retry_media,
)
from whatsapp_saas.inbox.status import retry_failed
from whatsapp_saas.inbox.system_lines import (
    STATUS_LINES,
    assign_line,
    system_line,
    transfer_line,
)
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

__all__ = [
    "ConversationItem",
    "ConversationPage",
    "ListFilter",
    "MessageHit",
    "MessagePage",
    "add_internal_note",
    "assign",
    "assign_to_me",
    "enqueue_media_reply",
    "enqueue_text_reply",
    "get_conversation",
    "get_message",
    "get_messages",
    "list_conversations",
    "mark_read",
    "media_of",
    "open_conversation",
    "reopen",
    "resolve",
    "retry_failed",
    "retry_media",
    "search_messages",
    "set_status",
    "transfer",
]


def enqueue_text_reply(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    conversation_id: int,
    text: str,
    quoted_message_id: int | None = None,
) -> Message:
    """An attendant's text reply, signed with their signature if they set one."""
    return replies.enqueue_text_reply(
        scope,
        actor=actor,
        conversation_id=conversation_id,
        text=signed(scope, actor=actor, text=text),
        quoted_message_id=quoted_message_id,
    )


def signed(scope: TenantScope, *, actor: CurrentUser, text: str) -> str:
    """'*Olivia*:\ntext', as WhatsApp desks sign replies, when the actor has a signature."""
    user = scope.first(User, col(User.id) == actor.user_id)
    signature = user.signature if user is not None else None
    if not signature or not text.strip():
        return text
    return f"*{signature}*:\n{text}"


def open_conversation(
    scope: TenantScope, *, actor: CurrentUser, number_id: int, contact_id: int
) -> Conversation:
    """The thread between a number and a contact, started (and assigned to the actor) if new."""
    scope.get(WhatsAppNumber, number_id)
    scope.get(Contact, contact_id)
    conversation_id, created = find_or_create_one(scope, number_id=number_id, contact_id=contact_id)
    if created:
        conversation = scope.get(Conversation, conversation_id)
        conversation.assignee_id = actor.user_id
        _changed(scope, conversation, ConversationChange.CREATED)
    return get_conversation(scope, actor=actor, conversation_id=conversation_id)


def mark_read(scope: TenantScope, *, actor: CurrentUser, conversation_id: int) -> list[str]:
    """Opening a conversation: unread to zero, inbound messages read; returns their WA ids.

    :class:`ConversationRead` carries those ids to whoever sends read receipts (when the
    tenant wants them sent); the inbox itself never talks to WhatsApp.
    """
    conversation = get_conversation(
        scope, actor=actor, conversation_id=conversation_id, for_update=True
    )
    newest = scope.session.exec(
        select(sa.func.max(Message.id)).where(Message.conversation_id == conversation_id)
    ).one()
    wa_ids = _read_inbound(scope, conversation, newest)
    if conversation.unread_count == 0 and not wa_ids:
        return []
    conversation.unread_count = 0
    conversation.last_read_message_id = newest
    _changed(scope, conversation, ConversationChange.READ)
    chat = contact_address(scope, contact_id=conversation.contact_id)
    assert conversation.id is not None
    announce_after_commit(
        scope.session,
        ConversationRead(
            scope.tenant_id,
            conversation.id,
            conversation.number_id,
            chat,
            tuple(wa_ids),
            actor.user_id,
        ),
    )
    return wa_ids


def _read_inbound(scope: TenantScope, conversation: Conversation, newest: int | None) -> list[str]:
    if newest is None:
        return []
    t: sa.Table = Message.__table__  # type: ignore[attr-defined]
    stmt = (
        sa.update(t)
        .where(t.c.conversation_id == conversation.id)
        .where(t.c.id > (conversation.last_read_message_id or 0), t.c.id <= newest)
        .where(t.c.direction == Direction.IN.value, t.c.status == MessageStatus.DELIVERED.value)
        .values(status=MessageStatus.READ.value, read_at=utcnow())
        .returning(t.c.wa_message_id)
    )
    return [wa_id for wa_id in scope.session.execute(stmt).scalars() if wa_id]


def assign(
    scope: TenantScope, *, actor: CurrentUser, conversation_id: int, user_id: int | None
) -> Conversation:
    """Give the conversation to an active colleague (None: back to the queue)."""
    conversation = get_conversation(
        scope, actor=actor, conversation_id=conversation_id, for_update=True
    )
    user = _assignable(scope, user_id)
    if conversation.assignee_id != user_id:
        assign_line(scope, actor=actor, conversation=conversation, user=user)
    conversation.assignee_id = user_id
    return _changed(scope, conversation, ConversationChange.ASSIGNED)


def _assignable(scope: TenantScope, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = scope.first(User, col(User.id) == user_id)
    if user is None or not user.is_active:
        raise UserError("error.inbox_user_not_assignable")
    return user


def assign_to_me(scope: TenantScope, *, actor: CurrentUser, conversation_id: int) -> Conversation:
    return assign(scope, actor=actor, conversation_id=conversation_id, user_id=actor.user_id)


def transfer(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    conversation_id: int,
    department_id: int | None,
    user_id: int | None = None,
) -> Conversation:
    """Move the conversation to a department's queue (optionally to one of its agents)."""
    conversation = get_conversation(
        scope, actor=actor, conversation_id=conversation_id, for_update=True
    )
    department = scope.get(Department, department_id) if department_id is not None else None
    user = _assignable(scope, user_id)
    if (conversation.department_id, conversation.assignee_id) != (department_id, user_id):
        transfer_line(
            scope, actor=actor, conversation=conversation, department=department, user=user
        )
    conversation.department_id = department_id
    conversation.assignee_id = user_id
    return _changed(scope, conversation, ConversationChange.TRANSFERRED)


def set_status(
    scope: TenantScope, *, actor: CurrentUser, conversation_id: int, status: str
) -> Conversation:
    """open, pending or resolved; resolving deletes nothing and a new message reopens it."""
    try:
        new = ConversationStatus(status)
    except ValueError as exc:
        raise UserError("error.inbox_status_invalid") from exc
    conversation = get_conversation(
        scope, actor=actor, conversation_id=conversation_id, for_update=True
    )
    if conversation.status != new.value:
        system_line(scope, actor=actor, conversation=conversation, action=STATUS_LINES[new])
    conversation.status = new.value
    if new is ConversationStatus.RESOLVED:
        conversation.resolved_at = utcnow()
    return _changed(scope, conversation, ConversationChange.STATUS)


def resolve(scope: TenantScope, *, actor: CurrentUser, conversation_id: int) -> Conversation:
    return set_status(
        scope,
        actor=actor,
        conversation_id=conversation_id,
        status=ConversationStatus.RESOLVED.value,
    )


def reopen(scope: TenantScope, *, actor: CurrentUser, conversation_id: int) -> Conversation:
    return set_status(
        scope, actor=actor, conversation_id=conversation_id, status=ConversationStatus.OPEN.value
    )


def _changed(scope: TenantScope, conversation: Conversation, change: str) -> Conversation:
    scope.session.add(conversation)
    scope.session.flush()
    announce_after_commit(scope.session, conversation_event(conversation, change))
    return conversation
