"""Who may see which conversation: the one place inbox permissions are decided.

Owners and admins see every conversation of their tenant. Agents see the conversations
assigned to them, those of their departments, and the unclaimed ones (no assignee and no
department). Anything else, including another tenant's id, is :class:`NotFound`: a actor
cannot tell a hidden conversation from one that does not exist.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.models import Conversation, DepartmentMember, Message
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def check_viewer(scope: TenantScope, *, actor: CurrentUser) -> None:
    if actor.tenant_id != scope.tenant_id:
        raise NotFound(Conversation, None)


def visible_to(scope: TenantScope, *, actor: CurrentUser) -> sa.ColumnElement[bool]:
    """A WHERE clause over ``conversations`` limiting rows to what ``actor`` may see."""
    check_viewer(scope, actor=actor)
    if actor.is_manager:
        return sa.true()
    my_departments = select(DepartmentMember.department_id).where(
        DepartmentMember.tenant_id == scope.tenant_id, DepartmentMember.user_id == actor.user_id
    )
    return sa.or_(
        col(Conversation.assignee_id) == actor.user_id,
        col(Conversation.department_id).in_(my_departments),
        sa.and_(col(Conversation.assignee_id).is_(None), col(Conversation.department_id).is_(None)),
    )


def get_conversation(
    scope: TenantScope, *, actor: CurrentUser, conversation_id: int, for_update: bool = False
) -> Conversation:
    query: Any = (
        scope.select(Conversation)
        .where(col(Conversation.id) == conversation_id)
        .where(visible_to(scope, actor=actor))
    )
    if for_update:
        query = query.with_for_update(of=Conversation)  # type: ignore[arg-type]
    found = scope.session.exec(query).first()
    if found is None:
        raise NotFound(Conversation, conversation_id)
    return found  # type: ignore[no-any-return]


def get_message(
    scope: TenantScope, *, actor: CurrentUser, message_id: int, for_update: bool = False
) -> Message:
    """A message of a conversation the actor may see (else NotFound)."""
    message = scope.get(Message, message_id, for_update=for_update)
    try:
        get_conversation(scope, actor=actor, conversation_id=message.conversation_id)
    except NotFound:
        raise NotFound(Message, message_id) from None
    return message


def _contact_clause(
    scope: TenantScope, actor: CurrentUser, contact_id: Any
) -> sa.ColumnElement[bool]:
    """A contact nobody talks to yet is everyone's; otherwise one visible thread is needed."""
    threads = select(Conversation.id).where(
        Conversation.tenant_id == scope.tenant_id, Conversation.contact_id == contact_id
    )
    return sa.or_(~sa.exists(threads), sa.exists(threads.where(visible_to(scope, actor=actor))))


def contact_visible_to(scope: TenantScope, *, actor: CurrentUser) -> sa.ColumnElement[bool]:
    """A WHERE clause over ``contacts``: the contacts whose conversations ``actor`` may see."""
    check_viewer(scope, actor=actor)
    if actor.is_manager:
        return sa.true()
    return _contact_clause(scope, actor, Contact.id)


def thread_visible_to(
    scope: TenantScope, *, actor: CurrentUser, number_id: Any, contact_id: Any
) -> sa.ColumnElement[bool]:
    """A WHERE clause for rows aimed at a (number, contact) pair, such as scheduled messages:
    that pair's conversation must be visible; before it exists, the contact must be."""
    check_viewer(scope, actor=actor)
    if actor.is_manager:
        return sa.true()
    thread = select(Conversation.id).where(
        Conversation.tenant_id == scope.tenant_id,
        Conversation.number_id == number_id,
        Conversation.contact_id == contact_id,
    )
    return sa.or_(
        sa.exists(thread.where(visible_to(scope, actor=actor))),
        sa.and_(~sa.exists(thread), _contact_clause(scope, actor, contact_id)),
    )


def check_thread(
    scope: TenantScope, *, actor: CurrentUser, number_id: int, contact_id: int
) -> None:
    """NotFound unless ``actor`` may write to ``contact_id`` through ``number_id``."""
    clause = thread_visible_to(
        scope, actor=actor, number_id=sa.literal(number_id), contact_id=sa.literal(contact_id)
    )
    if not scope.session.exec(select(sa.literal(1)).where(clause)).first():
        raise NotFound(Contact, contact_id)
