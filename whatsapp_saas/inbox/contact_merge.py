"""The inbox's part of a contact merge: it moves its own rows (conversations, messages).

The contacts package never touches inbox tables. When two contacts are merged it calls the
participants it is given, in the same transaction; this is the inbox's
(:data:`INBOX_PARTICIPANTS`). A conversation of the merged contact moves to the survivor; where
both had one on the same number, the two threads fold into the survivor's (messages, unread
count, last activity), and the folded conversation goes away, as its thread now lives on.
What other packages hang on it (follow-ups, scheduled messages, deals, tags, …) moves to the
kept conversation first (:mod:`.conversation_refs`), so nothing vanishes with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import col, select, update

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts import merge
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.access import contact_visible_to
from whatsapp_saas.inbox.conversation_refs import move_references
from whatsapp_saas.inbox.models import Conversation, ConversationStatus, Message
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


class InboxMergeParticipant:
    """Checks the actor with the inbox's own gates, and moves the inbox's rows."""

    def check(self, scope: TenantScope, actor: CurrentUser, contact_ids: Sequence[int]) -> None:
        query = select(Contact.id).where(
            Contact.tenant_id == scope.tenant_id,
            col(Contact.id).in_(list(contact_ids)),
            contact_visible_to(scope, actor=actor),
        )
        visible = set(scope.session.exec(query).all())
        for contact_id in contact_ids:
            if contact_id not in visible:
                raise NotFound(Contact, contact_id)

    def move(self, scope: TenantScope, *, survivor_id: int, merged_id: int) -> Mapping[int, int]:
        return fold_conversations(scope, survivor_id=survivor_id, merged_id=merged_id)


INBOX = InboxMergeParticipant()
INBOX_PARTICIPANTS: merge.MergeParticipants = (INBOX,)


def merge_contacts(
    scope: TenantScope, *, actor: CurrentUser, survivor_id: int, merged_id: int
) -> merge.MergeResult:
    """A person's merge of two contacts, with the inbox taking its part (see
    :func:`whatsapp_saas.contacts.merge.merge_contacts` for what is refused)."""
    return merge.merge_contacts(
        scope,
        actor=actor,
        survivor_id=survivor_id,
        merged_id=merged_id,
        participants=INBOX_PARTICIPANTS,
    )


def fold_conversations(scope: TenantScope, *, survivor_id: int, merged_id: int) -> dict[int, int]:
    """Move the merged contact's conversations; returns the folded ones, {old id: new id}."""
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
            .where(col(Message.tenant_id) == scope.tenant_id)
            .where(col(Message.conversation_id) == other.id)
            .values(conversation_id=keep.id)
        )
        _fold_counters(keep, other)
        move_references(
            scope.session, tenant_id=scope.tenant_id, folded_id=other.id, kept_id=keep.id
        )
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
