"""Writing into a conversation: replies (queued for sending), notes, media retries.

A failed message's Retry is :func:`whatsapp_saas.inbox.status.retry_failed`.
"""

from __future__ import annotations

from sqlmodel import col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.access import get_conversation, get_message
from whatsapp_saas.inbox.audio import CONVERSION_FAILED, RecordedAudio
from whatsapp_saas.inbox.events import MessageMediaUpdated
from whatsapp_saas.inbox.media import check_media, media_store
from whatsapp_saas.inbox.models import (
    Conversation,
    Direction,
    MediaStatus,
    Message,
    MessageType,
    SentBy,
)
from whatsapp_saas.inbox.outbox import Draft, queue_message, stored_event
from whatsapp_saas.inbox.status import fail_one
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

TEXT_MAX = 4096  # WhatsApp's limit for one text message
CAPTION_MAX = 1024


def enqueue_text_reply(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    conversation_id: int,
    text: str,
    quoted_message_id: int | None = None,
) -> Message:
    """An attendant's text reply: a ``queued`` row with a fixed WhatsApp id; sent after commit."""
    conversation = get_conversation(scope, actor=actor, conversation_id=conversation_id)
    body = _text(text, TEXT_MAX)
    draft = Draft(
        body=body,
        quoted_wa_id=_quoted(scope, conversation, quoted_message_id),
        sent_by=SentBy.AGENT,
        author_user_id=actor.user_id,
    )
    return queue_message(scope, conversation=conversation, draft=draft)


def enqueue_media_reply(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    conversation_id: int,
    data: bytes,
    mimetype: str,
    filename: str | None = None,
    caption: str | None = None,
    voice_note: bool = False,
    quoted_message_id: int | None = None,
) -> Message:
    """A photo, video, audio, voice note or document; size and type limits give UserErrors."""
    conversation = get_conversation(scope, actor=actor, conversation_id=conversation_id)
    kind = media_type_for(mimetype, voice_note)
    check_media(kind.value, mimetype, len(data))
    cleaned = _text(caption, CAPTION_MAX) if caption and caption.strip() else None
    quoted = _quoted(scope, conversation, quoted_message_id)
    key = media_store().put(scope.tenant_id, data, mimetype=mimetype, filename=filename)
    media_kind = "audio" if kind is MessageType.VOICE else kind.value
    draft = Draft(
        type=kind,
        caption=cleaned,
        quoted_wa_id=quoted,
        media_kind=media_kind,
        media_mimetype=mimetype,
        media_filename=filename,
        media_size=len(data),
        media_storage_key=key,
        sent_by=SentBy.AGENT,
        author_user_id=actor.user_id,
    )
    return queue_message(scope, conversation=conversation, draft=draft)


def enqueue_voice_reply(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    conversation_id: int,
    audio: RecordedAudio,
    quoted_message_id: int | None = None,
) -> Message:
    """A push-to-talk note in OGG/Opus with its duration, queued for sending.

    When the conversion failed, the original file is kept on the message, which is marked
    failed with a reason the attendant can read (nothing is sent in a format WhatsApp would
    not play as a voice note).
    """
    conversation = get_conversation(scope, actor=actor, conversation_id=conversation_id)
    check_media("audio", audio.mimetype, len(audio.data))  # any audio: it is converted
    note = audio.converted
    data, mimetype = (note.data, note.mimetype) if note else (audio.data, audio.mimetype)
    if note is not None:
        check_media("voice", mimetype, len(data))
    quoted = _quoted(scope, conversation, quoted_message_id)
    filename = _voice_filename(audio.filename) if note else audio.filename
    key = media_store().put(scope.tenant_id, data, mimetype=mimetype, filename=filename)
    draft = Draft(
        type=MessageType.VOICE,
        quoted_wa_id=quoted,
        media_kind="audio",
        media_mimetype=mimetype,
        media_filename=filename,
        media_size=len(data),
        media_seconds=note.seconds if note else None,
        media_storage_key=key,
        sent_by=SentBy.AGENT,
        author_user_id=actor.user_id,
    )
    message = queue_message(scope, conversation=conversation, draft=draft)
    if note is None:
        assert message.id is not None
        fail_one(scope.session, message_id=message.id, at=utcnow(), reason=CONVERSION_FAILED)
    return message


def _voice_filename(original: str | None) -> str | None:
    return f"{original.rsplit('.', 1)[0]}.ogg" if original else None


def media_type_for(mimetype: str, voice_note: bool = False) -> MessageType:
    major = mimetype.split("/", 1)[0].lower()
    if major == "audio":
        return MessageType.VOICE if voice_note else MessageType.AUDIO
    if major == "image" and "webp" not in mimetype.lower():
        return MessageType.IMAGE
    if major == "image":
        return MessageType.STICKER
    if major == "video":
        return MessageType.VIDEO
    return MessageType.DOCUMENT


def add_internal_note(
    scope: TenantScope, *, actor: CurrentUser, conversation_id: int, text: str
) -> Message:
    """A note for colleagues: lives in the thread, has no WhatsApp id, is never sent."""
    conversation = get_conversation(scope, actor=actor, conversation_id=conversation_id)
    assert conversation.id is not None
    now = utcnow()
    note = scope.add(
        Message(
            tenant_id=scope.tenant_id,
            conversation_id=conversation.id,
            number_id=conversation.number_id,
            wa_message_id=None,
            direction=Direction.OUT.value,
            type=MessageType.TEXT.value,
            body=_text(text, TEXT_MAX),
            status=None,
            is_internal_note=True,
            author_user_id=actor.user_id,
            created_at=now,
        )
    )
    scope.session.flush()
    announce_after_commit(scope.session, stored_event(note, conversation.contact_id))
    return note


def retry_media(scope: TenantScope, *, actor: CurrentUser, message_id: int) -> Message:
    """Re-arm a failed inbound download; the owning manager's media sweep fetches it again."""
    message = get_message(scope, actor=actor, message_id=message_id, for_update=True)
    if message.media_status != MediaStatus.FAILED.value or not message.media_locator:
        raise UserError("error.inbox_media_not_failed")
    message.media_status = MediaStatus.PENDING.value
    message.media_attempts = 0
    message.media_error = None
    scope.session.add(message)
    assert message.id is not None
    announce_after_commit(
        scope.session,
        MessageMediaUpdated(
            scope.tenant_id, message.id, message.conversation_id, MediaStatus.PENDING.value, None, 0
        ),
    )
    return message


def media_of(
    scope: TenantScope, *, actor: CurrentUser, message_id: int
) -> tuple[bytes, str, str | None]:
    """(bytes, mimetype, filename) of a stored attachment, for the browser to show or download."""
    message = get_message(scope, actor=actor, message_id=message_id)
    if message.media_status != MediaStatus.STORED.value or not message.media_storage_key:
        raise UserError("error.inbox_media_unavailable")
    data = media_store().get(scope.tenant_id, message.media_storage_key)
    return data, message.media_mimetype or "application/octet-stream", message.media_filename


def _quoted(scope: TenantScope, conversation: Conversation, message_id: int | None) -> str | None:
    if message_id is None:
        return None
    quoted = scope.first(
        Message, col(Message.id) == message_id, Message.conversation_id == conversation.id
    )
    if quoted is None or quoted.wa_message_id is None:
        raise UserError("error.inbox_quoted_not_found")
    return quoted.wa_message_id


def _text(text: str | None, limit: int) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise UserError("error.inbox_message_empty")
    if len(cleaned) > limit:
        raise UserError("error.inbox_message_too_long", limit=limit)
    return cleaned
