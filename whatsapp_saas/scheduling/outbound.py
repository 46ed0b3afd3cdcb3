"""Writing the outbound message: the one place scheduling touches the inbox's outbox.

Schedules, follow-ups and campaigns are system senders, not an attendant viewing a
conversation, so they call :func:`whatsapp_saas.inbox.outbox.queue_message` directly (the
attendant-facing ``enqueue_*_reply`` functions check the viewer's access). The message is
written in the caller's transaction: the claim of the schedule row and the message commit
together, and the outbound waker (a live subscriber of ``OutboundQueued``) wakes the sender
after that commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from whatsapp_saas.contacts.merge import current_id
from whatsapp_saas.contacts.service import contact_address
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.conversation_rows import find_or_create_one
from whatsapp_saas.inbox.models import Conversation, Message, MessageType, SentBy
from whatsapp_saas.inbox.outbox import Draft, queue_message
from whatsapp_saas.inbox.replies import media_type_for
from whatsapp_saas.tenancy.scope import TenantScope


@dataclass(frozen=True, slots=True)
class StoredMedia:
    """An attachment already in the media store (stored when the schedule was created)."""

    storage_key: str
    mimetype: str
    filename: str | None
    size: int
    kind: str  # the MessageType value: image, video, audio, voice, document, sticker


def conversation_for(scope: TenantScope, *, number_id: int, contact_id: int) -> Conversation:
    """The thread between the number and the contact, started if the contact has none.

    A contact merged since the row was written is its survivor now: never start a thread
    with the merged row."""
    contact_id = current_id(scope, contact_id=contact_id)
    conversation_id, _created = find_or_create_one(
        scope, number_id=number_id, contact_id=contact_id
    )
    return scope.get(Conversation, conversation_id)


def queue_outbound(
    scope: TenantScope,
    *,
    conversation: Conversation,
    text: str | None,
    media: StoredMedia | None = None,
    sent_by: SentBy,
    author_user_id: int | None = None,
) -> Message:
    """A ``queued`` message in ``conversation``; UserError when there is nowhere to send it."""
    if contact_address(scope, contact_id=conversation.contact_id) is None:
        raise UserError("error.sched_contact_unreachable")
    if media is None:
        draft = Draft(body=text, sent_by=sent_by, author_user_id=author_user_id)
    else:
        kind = MessageType(media.kind)
        draft = Draft(
            type=kind,
            caption=text or None,
            media_kind="audio" if kind is MessageType.VOICE else kind.value,
            media_mimetype=media.mimetype,
            media_filename=media.filename,
            media_size=media.size,
            media_storage_key=media.storage_key,
            sent_by=sent_by,
            author_user_id=author_user_id,
        )
    return queue_message(scope, conversation=conversation, draft=draft)


def media_kind_for(mimetype: str) -> str:
    return media_type_for(mimetype).value
