"""What a rule's actions do to the world. Each returns a short result for the run log.

The tag and department writes are the only places automations touch the CRM and the inbox
directly; keep them here so they can be redirected (crm tag definitions, inbox services)
without touching the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whatsapp_saas.automations.owner import Owner, set_owner
from whatsapp_saas.automations.variables import render
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.inbox.conversation_rows import conversation_event
from whatsapp_saas.inbox.events import ConversationChange
from whatsapp_saas.inbox.models import (
    Conversation,
    ConversationStatus,
    Department,
    Direction,
    Message,
    MessageType,
    SentBy,
)
from whatsapp_saas.inbox.outbox import stored_event
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.optout import is_opted_out
from whatsapp_saas.scheduling.outbound import queue_outbound
from whatsapp_saas.tenancy.scope import TenantScope


@dataclass(frozen=True, slots=True)
class Target:
    """Where a rule acts: the conversation and its contact, and the rule's name for badges."""

    conversation: Conversation
    contact: Contact
    rule_name: str
    values: dict[str, str]
    direct_reply: bool = True  # an answer to the customer's own message


def perform(scope: TenantScope, target: Target, action: dict[str, Any]) -> dict[str, Any]:
    kind = action["type"]
    handler = _HANDLERS[kind]
    detail = handler(scope, target, action)
    return {"type": kind, "ok": True, "detail": detail}


def send_message(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    """Queue the reply through the outbox; opted-out contacts get only direct replies."""
    if not target.direct_reply and is_opted_out(scope, target.contact.id or 0):
        return "opted_out"
    text = render(action["message"], target.values)
    message = queue_outbound(scope, target.conversation, text=text, sent_by=SentBy.AUTOMATION)
    message.automation_rule = target.rule_name
    scope.session.add(message)
    scope.session.flush()
    return f"queued #{message.id}"


def add_tag(scope: TenantScope, contact_id: int, tag: str) -> bool:
    """Tag the contact; False when it already had the tag (one place the CRM can redirect)."""
    contact = scope.get(Contact, contact_id)
    if tag in contact.tags:
        return False
    contact.tags = [*contact.tags, tag]  # a new list: JSON columns track assignment only
    contact.updated_at = utcnow()
    scope.session.add(contact)
    scope.session.flush()
    return True


def _add_tag(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    added = add_tag(scope, target.contact.id or 0, action["tag"])
    return action["tag"] if added else f"{action['tag']} (already)"


def _assign_department(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    department = scope.get(Department, action["department_id"])  # another tenant's: NotFound
    conversation = target.conversation
    conversation.department_id = department.id
    _changed(scope, conversation, ConversationChange.TRANSFERRED)
    return department.name


def _hand_to_human(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    detail = "human"
    if action.get("department_id"):
        detail = _assign_department(scope, target, action)
    set_owner(scope, target.conversation.id or 0, Owner.HUMAN.value)
    return detail


def _add_note(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    conversation = target.conversation
    assert conversation.id is not None
    note = scope.add(
        Message(
            tenant_id=scope.tenant_id,
            conversation_id=conversation.id,
            number_id=conversation.number_id,
            direction=Direction.OUT.value,
            type=MessageType.TEXT.value,
            body=render(action["message"], target.values),
            is_internal_note=True,
            sent_by=SentBy.AUTOMATION.value,
            automation_rule=target.rule_name,
        )
    )
    scope.session.flush()
    announce_after_commit(scope.session, stored_event(note, conversation.contact_id))
    return f"note #{note.id}"


def _resolve(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    conversation = target.conversation
    conversation.status = ConversationStatus.RESOLVED.value
    conversation.resolved_at = utcnow()
    _changed(scope, conversation, ConversationChange.STATUS)
    return "resolved"


def _changed(scope: TenantScope, conversation: Conversation, change: str) -> None:
    scope.session.add(conversation)
    scope.session.flush()
    announce_after_commit(scope.session, conversation_event(conversation, change))


_HANDLERS = {
    "send_message": send_message,
    "add_tag": _add_tag,
    "assign_department": _assign_department,
    "hand_to_human": _hand_to_human,
    "add_note": _add_note,
    "resolve": _resolve,
}
