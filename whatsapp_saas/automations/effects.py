"""What a rule's actions do to the world. Each returns a short result for the run log.

The tag and department writes are the only places automations touch the CRM and the inbox
directly; keep them here so they can be redirected (crm tag definitions, inbox services)
without touching the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from whatsapp_saas.automations import ai, more_effects
from whatsapp_saas.automations.files import media_of
from whatsapp_saas.automations.handoff import notify_handoff
from whatsapp_saas.automations.owner import Owner, set_owner
from whatsapp_saas.automations.variables import render
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.tags import contact_tags, create_tag, find_tag, set_contact_tags
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
    key: str = ""  # the firing's idempotency key and the action's index (jobs, webhooks)


def perform(scope: TenantScope, *, target: Target, action: dict[str, Any]) -> dict[str, Any]:
    kind = action["type"]
    handler = _HANDLERS[kind]
    detail = handler(scope, target, action)
    return {"type": kind, "ok": True, "detail": detail}


def send_message(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    """Queue the reply through the outbox; opted-out contacts get only direct replies."""
    if not target.direct_reply and is_opted_out(scope, contact_id=target.contact.id or 0):
        return "opted_out"
    text = render(action.get("message") or "", target.values)
    media = media_of(scope, file_id=int(action["media_id"])) if action.get("media_id") else None
    message = queue_outbound(
        scope,
        conversation=target.conversation,
        text=text or None,
        media=media,
        sent_by=SentBy.AUTOMATION,
    )
    message.automation_rule = target.rule_name
    scope.session.add(message)
    scope.session.flush()
    return f"queued #{message.id}"


def add_tag(scope: TenantScope, *, contact_id: int, tag: str) -> bool:
    """Tag the contact through the CRM's tags (created if new); False when it had the tag.

    ``set_contact_tags`` logs the change, which records a ``ContactTagAdded`` event."""
    current = contact_tags(scope, contact_id=contact_id)
    wanted = create_tag(scope, name=tag)
    if any(t.id == wanted.id for t in current):
        return False
    ids = [t.id for t in current if t.id is not None]
    set_contact_tags(scope, contact_id=contact_id, tag_ids=[*ids, wanted.id or 0])
    return True


def remove_tag(scope: TenantScope, *, contact_id: int, tag: str) -> bool:
    """Untag the contact; False when it did not have the tag (records ContactTagRemoved)."""
    current = contact_tags(scope, contact_id=contact_id)
    found = find_tag(scope, name=tag)
    if found is None or all(t.id != found.id for t in current):
        return False
    set_contact_tags(
        scope,
        contact_id=contact_id,
        tag_ids=[t.id for t in current if t.id not in (None, found.id)],
    )
    return True


def _remove_tag(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    removed = remove_tag(scope, contact_id=target.contact.id or 0, tag=action["tag"])
    return action["tag"] if removed else f"{action['tag']} (absent)"


def _add_tag(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    added = add_tag(scope, contact_id=target.contact.id or 0, tag=action["tag"])
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
    set_owner(scope, conversation_id=target.conversation.id or 0, kind=Owner.HUMAN.value)
    notified = notify_handoff(scope, conversation=target.conversation, rule_name=target.rule_name)
    return f"{detail}, notified {notified}"


def _hand_to_ai(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    """To the tenant's AI assistant; without one (none exists yet), to a person, as
    "hand to a human" does, so the customer is not left unanswered."""
    if ai.assistant_configured(scope):
        set_owner(scope, conversation_id=target.conversation.id or 0, kind=Owner.AI.value)
        return "ai"
    return f"{ai.NOT_CONFIGURED} ({_hand_to_human(scope, target, {})})"


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


def _send_menu(scope: TenantScope, target: Target, action: dict[str, Any]) -> str:
    from whatsapp_saas.automations import menu_engine  # the menu engine uses these effects
    from whatsapp_saas.automations.menus import AutomationMenu

    menu = scope.get(AutomationMenu, action["menu_id"])  # another tenant's: NotFound
    return f"menu {menu.name}: " + menu_engine.start(
        scope, conversation=target.conversation, menu=menu
    )


def _changed(scope: TenantScope, conversation: Conversation, change: str) -> None:
    scope.session.add(conversation)
    scope.session.flush()
    announce_after_commit(scope.session, conversation_event(conversation, change))


_HANDLERS: dict[str, Callable[[TenantScope, Target, dict[str, Any]], str]] = {
    **more_effects.HANDLERS,
    "remove_tag": _remove_tag,
    "send_message": send_message,
    "add_tag": _add_tag,
    "assign_department": _assign_department,
    "hand_to_human": _hand_to_human,
    "hand_to_ai": _hand_to_ai,
    "add_note": _add_note,
    "resolve": _resolve,
    "send_menu": _send_menu,
}
