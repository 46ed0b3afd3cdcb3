"""The outbox: outbound messages are rows first, sends second.

Anything that sends (an attendant, an automation, the AI, a schedule, a campaign) calls
:func:`queue_message` inside its own transaction. The row gets status ``queued`` and a fixed
WhatsApp message id *before* any attempt, so a retry after a crash repeats the same id and the
customer sees the message once. After commit the :class:`OutboxNotifier` wakes the sender.
Everything after that (claim, send, record) belongs to the sender in
:mod:`whatsapp_saas.delivery`, and every status change to :mod:`whatsapp_saas.inbox.status`.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.inbox.conversation_rows import bump_counters
from whatsapp_saas.inbox.events import MessageStored, OutboundQueued
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

WAKE_KEY = "outbox_wakeups"
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class OutboundJob:
    """What a wake-up names: ids only; the sender re-reads the row."""

    tenant_id: int
    number_id: int
    message_id: int
    wa_message_id: str


class OutboxNotifier(Protocol):
    """Wakes the sender. Called after commit, from the committing thread: keep it cheap and
    never raise (a lost wake-up is covered by the sender's sweeper, not by the caller)."""

    def wake(self, jobs: Sequence[OutboundJob]) -> None: ...


class NullNotifier:
    def wake(self, jobs: Sequence[OutboundJob]) -> None:
        log.debug("outbox: %d queued, no sender listening yet", len(jobs))


_notifier: OutboxNotifier = NullNotifier()


def set_outbox_notifier(notifier: OutboxNotifier | None) -> None:
    global _notifier
    _notifier = notifier or NullNotifier()


def new_wa_message_id() -> str:
    """An id shaped like the ones WhatsApp Web clients make, fixed before the first send."""
    return "3EB0" + secrets.token_hex(8).upper()


def wake_after_commit(session: Session, job: OutboundJob) -> None:
    session.info.setdefault(WAKE_KEY, []).append(job)


@event.listens_for(Session, "after_commit")
def _wake(session: Session) -> None:
    jobs = session.info.pop(WAKE_KEY, None)
    if jobs:
        try:
            _notifier.wake(jobs)
        except Exception:
            log.exception("outbox notifier failed; the sweeper will pick the messages up")


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(WAKE_KEY, None)


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
    """Write a ``queued`` outbound message; announce it and wake the sender after commit."""
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
    job = OutboundJob(scope.tenant_id, message.number_id, message.id, message.wa_message_id)
    announce_after_commit(
        scope.session,
        stored_event(message, updated.contact_id),
        updated,
        OutboundQueued(
            scope.tenant_id, message.id, conversation.id, message.number_id, message.wa_message_id
        ),
    )
    wake_after_commit(scope.session, job)
    return message


def stored_event(message: Message, contact_id: int) -> MessageStored:
    assert message.id is not None
    return MessageStored(
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
