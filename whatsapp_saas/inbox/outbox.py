"""The outbox: outbound messages are rows first, sends second.

Anything that sends (an attendant, an automation, the AI, a schedule, a campaign) calls
:func:`queue_message` inside its own transaction. The row gets status ``queued`` and a fixed
WhatsApp message id *before* any attempt, so a retry after a crash repeats the same id and the
customer sees the message once. The :class:`OutboundQueued` event it records is what wakes the
sender: after commit the outbound waker, a live subscriber on the bus, hands the id on (see
:mod:`whatsapp_saas.delivery.worker.notifier`). Everything after that (claim, send, record)
belongs to the sender in :mod:`whatsapp_saas.delivery`, and every status change to
:mod:`whatsapp_saas.inbox.status`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.inbox.conversation_rows import bump_counters
from whatsapp_saas.inbox.events import MessageStored, OutboundQueued, stored
from whatsapp_saas.inbox.models import (
    Conversation,
    Direction,
    MediaStatus,
    Message,
    MessageStatus,
    MessageType,
    SentBy,
)
from whatsapp_saas.inbox.preview import preview
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

log = logging.getLogger(__name__)

MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class OutboundJob:
    """What a wake-up names: ids only; the sender re-reads the row."""

    tenant_id: int
    number_id: int
    message_id: int
    wa_message_id: str


def new_wa_message_id() -> str:
    """An id shaped like the ones WhatsApp Web clients make, fixed before the first send."""
    return "3EB0" + secrets.token_hex(8).upper()


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    type: MessageType = MessageType.TEXT
    body: str | None = None
    caption: str | None = None
    quoted_wa_id: str | None = None
    media_kind: str | None = None
    media_mimetype: str | None = None
    media_filename: str | None = None
    media_size: int | None = None
    media_seconds: int | None = None
    media_storage_key: str | None = None
    sent_by: SentBy = SentBy.AGENT
    author_user_id: int | None = None


def queue_message(scope: TenantScope, *, conversation: Conversation, draft: Draft) -> Message:
    """Write a ``queued`` outbound message; its events wake the sender after commit."""
    assert conversation.id is not None
    now = utcnow()
    message = scope.add(
        Message(
            tenant_id=scope.tenant_id,
            conversation_id=conversation.id,
            number_id=conversation.number_id,
            wa_message_id=new_wa_message_id(),
            direction=Direction.OUT.value,
            type=draft.type.value,
            body=draft.body,
            caption=draft.caption,
            quoted_wa_id=draft.quoted_wa_id,
            media_kind=draft.media_kind,
            media_mimetype=draft.media_mimetype,
            media_filename=draft.media_filename,
            media_size=draft.media_size,
            media_seconds=draft.media_seconds,
            media_storage_key=draft.media_storage_key,
            media_status=MediaStatus.STORED.value if draft.media_storage_key else None,
            status=MessageStatus.QUEUED.value,
            queued_at=now,
            sent_by=draft.sent_by.value,
            author_user_id=draft.author_user_id,
            created_at=now,
        )
    )
    scope.session.flush()
    text = preview(draft.type.value, draft.body or draft.caption, draft.media_filename)
    updated = bump_counters(
        scope.session, conversation_id=conversation.id, at=now, preview_text=text
    )
    scope.session.expire(conversation)  # the UPDATE above changed it behind the ORM's back
    assert message.id is not None and message.wa_message_id is not None
    announce_after_commit(
        scope.session,
        stored_event(message, updated.contact_id),
        updated,
        OutboundQueued(
            scope.tenant_id, message.id, conversation.id, message.number_id, message.wa_message_id
        ),
    )
    return message


def stored_event(message: Message, contact_id: int) -> MessageStored:
    assert message.id is not None
    return stored(
        tenant_id=message.tenant_id,
        message_id=message.id,
        conversation_id=message.conversation_id,
        number_id=message.number_id,
        contact_id=contact_id,
        direction=message.direction,
        type=message.type,
        wa_message_id=message.wa_message_id,
        is_internal_note=message.is_internal_note,
        sent_by=message.sent_by,
        has_media=message.media_kind is not None,
    )
