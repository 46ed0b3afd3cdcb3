"""Handing a conversation to a person notifies the people who should pick it up.

Who: the assigned agent; else, when only a department is set, its active members; else
(nobody claimed it, so every attendant may see it) the tenant's active users. A system line
in the conversation records the hand-over (translated where it is shown, like the inbox's
"assigned" lines), so it is still there after a reload; the live
:class:`HandedToHuman` (announced after commit) makes those users' open inboxes show an alert.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.automations.assign import members
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.inbox.models import Conversation, Direction, Message
from whatsapp_saas.inbox.outbox import stored_event
from whatsapp_saas.inbox.system_lines import SYSTEM_MESSAGE_TYPE
from whatsapp_saas.tenancy.scope import TenantScope


@dataclass(frozen=True, slots=True)
class HandedToHuman:
    """A customer waits for a person; ``user_ids`` are the people to alert. Live only: the
    note in the conversation is the lasting record."""

    live_only: ClassVar[bool] = True

    tenant_id: int
    conversation_id: int
    user_ids: tuple[int, ...]


def recipients(scope: TenantScope, *, conversation: Conversation) -> tuple[int, ...]:
    if conversation.assignee_id is not None:
        return (conversation.assignee_id,)
    if conversation.department_id is not None:
        return tuple(members(scope, department_id=conversation.department_id))
    rows = scope.all(User, col(User.is_active).is_(True))
    return tuple(sorted(u.id for u in rows if u.id is not None))


def notify_handoff(scope: TenantScope, *, conversation: Conversation, rule_name: str) -> int:
    """Record the line and announce the alert (after commit); how many people it alerts."""
    assert conversation.id is not None
    note = scope.add(
        Message(
            tenant_id=scope.tenant_id,
            conversation_id=conversation.id,
            number_id=conversation.number_id,
            direction=Direction.OUT.value,
            type=SYSTEM_MESSAGE_TYPE,  # never sent, counted or answered (inbox.system_lines)
            body=json.dumps({"action": "handoff", "to": rule_name}, ensure_ascii=False),
            is_internal_note=True,
        )
    )
    scope.session.flush()
    announce_after_commit(scope.session, stored_event(note, conversation.contact_id))
    users = recipients(scope, conversation=conversation)
    announce_after_commit(scope.session, HandedToHuman(scope.tenant_id, conversation.id, users))
    return len(users)
