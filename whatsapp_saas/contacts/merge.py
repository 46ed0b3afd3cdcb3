"""Merging two contacts that turned out to be the same person (a phone JID and a LID).

Everything of the merged contact moves to the survivor: its ids, its conversations, and, where
both had a conversation on the same number, that conversation's messages (the two threads
become one). The merged contact is then deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, update

from whatsapp_saas.contacts.events import ContactsMerged
from whatsapp_saas.contacts.models import Contact, ContactIdentity
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.inbox.models import Conversation, ConversationStatus, Message
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope


@dataclass
class MergeResult:
    survivor: Contact
    merged_id: int
    conversation_map: dict[int, int] = field(default_factory=dict)


def merge_contacts(scope: TenantScope, survivor_id: int, merged_id: int) -> MergeResult:
    """Fold ``merged_id`` into ``survivor_id`` (both of this tenant, else NotFound)."""
    survivor = scope.get(Contact, survivor_id, for_update=True)
    if survivor_id == merged_id:
        return MergeResult(survivor, merged_id)
    merged = scope.get(Contact, merged_id, for_update=True)
    scope.session.exec(
        update(ContactIdentity)
        .where(col(ContactIdentity.contact_id) == merged_id)
        .values(contact_id=survivor_id)
    )
    mapping = _fold_conversations(scope, survivor_id, merged_id)
    _fold_fields(survivor, merged)
    scope.session.delete(merged)
    scope.session.flush()
    announce_after_commit(
        scope.session,
        ContactsMerged(scope.tenant_id, survivor_id, merged_id, tuple(sorted(mapping.items()))),
    )
    return MergeResult(survivor, merged_id, mapping)


def _fold_conversations(scope: TenantScope, survivor_id: int, merged_id: int) -> dict[int, int]:
    mine = {c.number_id: c for c in scope.all(Conversation, Conversation.contact_id == survivor_id)}
    mapping: dict[int, int] = {}
    for other in scope.all(Conversation, Conversation.contact_id == merged_id):
        keep = mine.get(other.number_id)
        if keep is None:
            other.contact_id = survivor_id
            scope.session.add(other)
            continue
        assert keep.id is not None and other.id is not None
        scope.session.exec(
            update(Message)
            .where(col(Message.conversation_id) == other.id)
            .values(conversation_id=keep.id)
        )
        _fold_counters(keep, other)
        scope.session.delete(other)
        mapping[other.id] = keep.id
    scope.session.flush()
    return mapping


def _fold_counters(keep: Conversation, other: Conversation) -> None:
    keep.unread_count += other.unread_count
    if as_utc(other.last_message_at) > as_utc(keep.last_message_at):
        keep.last_message_at = other.last_message_at
        keep.last_message_preview = other.last_message_preview
    if other.last_inbound_at is not None and (
        keep.last_inbound_at is None or as_utc(other.last_inbound_at) > as_utc(keep.last_inbound_at)
    ):
        keep.last_inbound_at = other.last_inbound_at
    if keep.status == ConversationStatus.RESOLVED.value:
        keep.status = other.status
    keep.assignee_id = keep.assignee_id or other.assignee_id
    keep.department_id = keep.department_id or other.department_id
    marks = [m for m in (keep.last_read_message_id, other.last_read_message_id) if m is not None]
    # The lower mark: re-sending a read receipt is harmless, skipping one is not.
    keep.last_read_message_id = min(marks) if marks else None


def _fold_fields(survivor: Contact, merged: Contact) -> None:
    survivor.name = survivor.name or merged.name
    survivor.push_name = survivor.push_name or merged.push_name
    survivor.phone = survivor.phone or merged.phone
    survivor.tags = list(dict.fromkeys([*survivor.tags, *merged.tags]))
    survivor.updated_at = utcnow()
