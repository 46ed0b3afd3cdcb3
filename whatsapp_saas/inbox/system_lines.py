"""System lines: a small line in the conversation saying who assigned, transferred, resolved
or reopened it, and when (the message's time).

Stored as messages of type "system" that are internal notes with no status, so every path
that sends, counts or reads customer messages (delivery, follow-ups, receipts) already leaves
them out: they never reach WhatsApp. The body is the action and its parameters as JSON; the
page translates it when it shows it (i18n keys ``ibx.sys_<action>``).
"""

from __future__ import annotations

import json

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.inbox.models import (
    Conversation,
    ConversationStatus,
    Department,
    Direction,
    Message,
)
from whatsapp_saas.tenancy.scope import TenantScope

SYSTEM_MESSAGE_TYPE = "system"

STATUS_LINES = {
    ConversationStatus.OPEN: "reopened",
    ConversationStatus.PENDING: "pending",
    ConversationStatus.RESOLVED: "resolved",
}


def assign_line(
    scope: TenantScope, *, actor: CurrentUser, conversation: Conversation, user: User | None
) -> None:
    """Taken, given to a colleague, or back to the queue."""
    if user is None:
        system_line(scope, actor=actor, conversation=conversation, action="unassigned")
    elif user.id == actor.user_id:
        system_line(scope, actor=actor, conversation=conversation, action="assigned_self")
    else:
        system_line(scope, actor=actor, conversation=conversation, action="assigned", to=user.name)


def transfer_line(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    conversation: Conversation,
    department: Department | None,
    user: User | None,
) -> None:
    """Moved to a department (and maybe one of its agents), or to an agent alone."""
    if department is not None and user is not None:
        system_line(
            scope,
            actor=actor,
            conversation=conversation,
            action="transferred_both",
            to=user.name,
            department=department.name,
        )
    elif department is not None:
        system_line(
            scope, actor=actor, conversation=conversation, action="transferred", to=department.name
        )
    elif user is not None:
        system_line(scope, actor=actor, conversation=conversation, action="assigned", to=user.name)
    else:
        system_line(scope, actor=actor, conversation=conversation, action="unassigned")


def system_line(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    conversation: Conversation,
    action: str,
    **params: str,
) -> None:
    """A line in the thread: ``actor`` did ``action`` (with ``params``), now."""
    assert conversation.id is not None
    scope.add(
        Message(
            tenant_id=scope.tenant_id,
            conversation_id=conversation.id,
            number_id=conversation.number_id,
            direction=Direction.OUT.value,
            type=SYSTEM_MESSAGE_TYPE,
            body=json.dumps({"action": action, **params}, ensure_ascii=False),
            is_internal_note=True,
            author_user_id=actor.user_id,
        )
    )
