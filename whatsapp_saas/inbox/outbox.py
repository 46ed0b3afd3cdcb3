"""The outbox: outbound messages are rows first, sends second.

Anything that sends (an attendant, an automation, the AI, a schedule, a campaign) calls
:func:`queue_message` inside its own transaction. The row gets status ``queued`` and a fixed
WhatsApp message id *before* any attempt, so a retry after a crash repeats the same id and the
customer sees the message once. The :class:`OutboundQueued` event it records is what wakes the
sender: after commit the outbound waker, a live subscriber on the bus, hands the id on (see
:mod:`whatsapp_saas.delivery.worker.notifier`).

The sender (the connection manager that owns the number) uses the worker half of this module:
:func:`claim` (queued -> sending, with everything needed to send), :func:`record_sent`,
:func:`record_failed`, and :func:`stuck_jobs` for its sweeper.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.contacts.service import contact_address
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.inbox.conversation_rows import bump_counters
from whatsapp_saas.inbox.events import MessageStored, OutboundQueued, stored
from whatsapp_saas.inbox.media import media_store
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
from whatsapp_saas.inbox.status import advance_one
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.gateway import MediaKind, OutboundMedia

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


def queue_message(scope: TenantScope, conversation: Conversation, draft: Draft) -> Message:
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
    updated = bump_counters(scope.session, conversation.id, at=now, preview_text=text)
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


# --- the sender's half ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutboundPayload:
    job: OutboundJob
    to: str  # the JID to send to
    text: str | None
    media: OutboundMedia | None
    quoted_wa_id: str | None


def claim(
    session: Session, message_id: int, *, reclaim_after: timedelta | None = None
) -> OutboundPayload | None:
    """Move a queued message to ``sending`` and return what to send; None if not ours to send.

    With ``reclaim_after``, a message stuck in ``sending`` that long is taken again (its
    sender died); the fixed WhatsApp id makes the second attempt harmless.
    """
    row = session.get(Message, message_id, with_for_update=True)
    if row is None or row.is_internal_note or row.direction != Direction.OUT.value:
        return None
    now = utcnow()
    stale = (
        row.status == MessageStatus.SENDING.value
        and reclaim_after is not None
        and row.sending_at is not None
        and as_utc(row.sending_at) <= now - reclaim_after
    )
    moved = advance_one(session, message_id, MessageStatus.SENDING, now)
    if moved is None and not stale:
        return None
    if moved is not None:
        announce_after_commit(session, moved.event(MessageStatus.SENDING, now, None))
    session.refresh(row)
    return _payload(session, row)


def _payload(session: Session, row: Message) -> OutboundPayload:
    assert row.id is not None and row.wa_message_id is not None
    conversation = session.get(Conversation, row.conversation_id)
    assert conversation is not None
    to = contact_address(TenantScope(session, row.tenant_id), conversation.contact_id)
    media = None
    if row.media_storage_key:
        data = media_store().get(row.tenant_id, row.media_storage_key)
        media = OutboundMedia(
            kind=MediaKind(row.media_kind or ("audio" if row.type == "voice" else "document")),
            data=data,
            mimetype=row.media_mimetype or "application/octet-stream",
            filename=row.media_filename,
            caption=row.caption,
            voice_note=row.type == MessageType.VOICE.value,
            seconds=row.media_seconds,
        )
    job = OutboundJob(row.tenant_id, row.number_id, row.id, row.wa_message_id)
    return OutboundPayload(job, to or "", row.body, media, row.quoted_wa_id)


def record_sent(session: Session, message_id: int, at: datetime | None = None) -> bool:
    return _record(session, message_id, MessageStatus.SENT, at or utcnow(), None)


def record_failed(session: Session, message_id: int, reason: str) -> bool:
    return _record(session, message_id, MessageStatus.FAILED, utcnow(), reason)


def _record(
    session: Session, message_id: int, status: MessageStatus, at: datetime, reason: str | None
) -> bool:
    moved = advance_one(session, message_id, status, at, reason)
    if moved is not None:
        announce_after_commit(session, moved.event(status, at, reason))
    return moved is not None


def stuck_jobs(
    session: Session,
    older_than: timedelta,
    *,
    number_ids: Sequence[int] | None = None,
    limit: int = 100,
) -> list[OutboundJob]:
    """Messages left in queued/sending too long (a lost wake-up, a dead sender)."""
    cutoff = utcnow() - older_than
    t = MESSAGES
    query = (
        sa.select(t.c.tenant_id, t.c.number_id, t.c.id, t.c.wa_message_id)
        .where(t.c.direction == Direction.OUT.value, t.c.is_internal_note.is_(False))
        .where(
            sa.or_(
                sa.and_(t.c.status == MessageStatus.QUEUED.value, t.c.queued_at <= cutoff),
                sa.and_(t.c.status == MessageStatus.SENDING.value, t.c.sending_at <= cutoff),
            )
        )
        .order_by(t.c.id)
        .limit(limit)
    )
    if number_ids is not None:
        query = query.where(t.c.number_id.in_(list(number_ids)))
    return [OutboundJob(*row) for row in session.execute(query).all()]
