"""Scheduled messages: create, edit, cancel and list, over a :class:`TenantScope`.

Edits and cancellations lock the row and only touch ``pending`` schedules; the scheduler's
claim is a conditional UPDATE on (status, due_at), so whichever commits first wins cleanly:
an edit made before the claim moves the message, a cancel made before it stops it, and an
edit after it gets "already sent".

Every service takes the actor: a schedule is visible to whoever may see the conversation it
goes to (see :func:`whatsapp_saas.inbox.access.thread_visible_to`); anything else is
"not found", exactly as in the inbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import col

from whatsapp_saas.accounts.preferences import tenant_timezone
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.access import check_thread, get_conversation, thread_visible_to
from whatsapp_saas.inbox.media import check_media, media_store
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.models import Recurrence, ScheduledMessage, ScheduleStatus
from whatsapp_saas.scheduling.outbound import StoredMedia, media_kind_for
from whatsapp_saas.scheduling.recurrence import local_to_utc, zone
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

TEXT_MAX = 4096
CAPTION_MAX = 1024
PAST_TOLERANCE = timedelta(seconds=5)  # "now" typed into a form is a few seconds old


def store_media(
    scope: TenantScope, *, data: bytes, mimetype: str, filename: str | None
) -> StoredMedia:
    """Keep an attachment for a future send (limits as for a reply, checked now, not later)."""
    kind = media_kind_for(mimetype)
    check_media(kind, mimetype, len(data))
    key = media_store().put(scope.tenant_id, data, mimetype=mimetype, filename=filename)
    return StoredMedia(key, mimetype, filename, len(data), kind)


def create_schedule(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    number_id: int,
    contact_id: int,
    when_local: datetime,
    text: str | None,
    media: StoredMedia | None = None,
    timezone: str | None = None,
    recurrence: str = Recurrence.NONE.value,
    conversation_id: int | None = None,
    now: datetime | None = None,
) -> ScheduledMessage:
    """Schedule a message for ``when_local``, a wall-clock time in the tenant's timezone."""
    scope.get(WhatsAppNumber, number_id)
    scope.get(Contact, contact_id)
    check_thread(scope, actor=actor, number_id=number_id, contact_id=contact_id)
    tz = timezone or tenant_timezone(scope)
    row = ScheduledMessage(
        tenant_id=scope.tenant_id,
        number_id=number_id,
        contact_id=contact_id,
        conversation_id=conversation_id,
        created_by_user_id=actor.user_id,
        timezone=tz,
        anchor_local=when_local,
        due_at=utcnow(),
    )
    _apply(row, when_local=when_local, timezone=tz, recurrence=recurrence, now=now)
    _set_content(row, text, media)
    scope.add(row)
    scope.session.flush()
    return row


def schedule_in_conversation(
    scope: TenantScope, *, actor: CurrentUser, conversation_id: int, **fields: object
) -> ScheduledMessage:
    """The same, from an open conversation (the actor must be allowed to see it)."""
    conversation = get_conversation(scope, actor=actor, conversation_id=conversation_id)
    return create_schedule(
        scope,
        actor=actor,
        number_id=conversation.number_id,
        contact_id=conversation.contact_id,
        conversation_id=conversation_id,
        **fields,  # type: ignore[arg-type]
    )


def update_schedule(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    schedule_id: int,
    when_local: datetime,
    text: str | None,
    recurrence: str = Recurrence.NONE.value,
    timezone: str | None = None,
    now: datetime | None = None,
) -> ScheduledMessage:
    """Move or rewrite a schedule that has not gone out yet (its media stays)."""
    row = _pending(scope, actor, schedule_id)
    _apply(
        row,
        when_local=when_local,
        timezone=timezone or row.timezone,
        recurrence=recurrence,
        now=now,
    )
    _set_content(row, text, media_of(row))
    row.updated_at = utcnow()
    scope.session.add(row)
    scope.session.flush()
    return row


def cancel_schedule(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    schedule_id: int,
    in_conversation: int | None = None,
) -> ScheduledMessage:
    """Cancel a pending schedule; from the inbox, only one aimed at the open conversation."""
    row = _pending(scope, actor, schedule_id)
    if in_conversation is not None:
        conversation = get_conversation(scope, actor=actor, conversation_id=in_conversation)
        if (row.number_id, row.contact_id) != (conversation.number_id, conversation.contact_id):
            raise NotFound(ScheduledMessage, schedule_id)
    row.status = ScheduleStatus.CANCELLED.value
    row.cancelled_at = row.updated_at = utcnow()
    scope.session.add(row)
    scope.session.flush()
    return row


def list_schedules(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    statuses: Sequence[str] | None = None,
    limit: int = 200,
) -> Sequence[ScheduledMessage]:
    """The schedules ``actor`` may see, newest due first."""
    query = scope.select(ScheduledMessage).where(_visible(scope, actor))
    if statuses:
        query = query.where(col(ScheduledMessage.status).in_(list(statuses)))
    query = query.order_by(col(ScheduledMessage.due_at).desc(), col(ScheduledMessage.id).desc())
    return scope.session.exec(query.limit(min(max(limit, 1), 1000))).all()


def get_schedule(
    scope: TenantScope, *, actor: CurrentUser, schedule_id: int, for_update: bool = False
) -> ScheduledMessage:
    """One schedule the actor may see (else NotFound, like another tenant's id)."""
    query = (
        scope.select(ScheduledMessage)
        .where(col(ScheduledMessage.id) == schedule_id)
        .where(_visible(scope, actor))
    )
    if for_update:
        query = query.with_for_update(of=ScheduledMessage)  # type: ignore[arg-type]
    row = scope.session.exec(query).first()
    if row is None:
        raise NotFound(ScheduledMessage, schedule_id)
    return row


def _visible(scope: TenantScope, actor: CurrentUser) -> ColumnElement[bool]:
    return thread_visible_to(
        scope,
        actor=actor,
        number_id=ScheduledMessage.number_id,
        contact_id=ScheduledMessage.contact_id,
    )


def _pending(scope: TenantScope, actor: CurrentUser, schedule_id: int) -> ScheduledMessage:
    row = get_schedule(scope, actor=actor, schedule_id=schedule_id, for_update=True)
    if row.status != ScheduleStatus.PENDING.value:
        raise UserError("error.sched_not_pending")
    return row


def _apply(
    row: ScheduledMessage, *, when_local: datetime, timezone: str, recurrence: str,
    now: datetime | None,
) -> None:  # fmt: skip
    zone(timezone)  # a clear error for an unknown zone
    try:
        Recurrence(recurrence)
    except ValueError as exc:
        raise UserError("error.sched_recurrence_invalid") from exc
    local = when_local.replace(tzinfo=None)
    due = local_to_utc(local, timezone)
    if due < (now or utcnow()) - PAST_TOLERANCE:
        raise UserError("error.sched_in_past")
    row.timezone, row.anchor_local, row.due_at = timezone, local, due
    row.recurrence, row.occurrence = recurrence, 0


def _set_content(row: ScheduledMessage, text: str | None, media: StoredMedia | None) -> None:
    cleaned = (text or "").strip() or None
    if cleaned is None and media is None:
        raise UserError("error.sched_empty")
    limit = CAPTION_MAX if media is not None else TEXT_MAX
    if cleaned is not None and len(cleaned) > limit:
        raise UserError("error.too_long", limit=limit)
    row.text = cleaned
    if media is not None:
        row.media_storage_key, row.media_mimetype = media.storage_key, media.mimetype
        row.media_filename, row.media_size, row.media_kind = media.filename, media.size, media.kind


def media_of(row: ScheduledMessage) -> StoredMedia | None:
    """The attachment a schedule carries, if any."""
    if not row.media_storage_key:
        return None
    return StoredMedia(
        row.media_storage_key,
        row.media_mimetype or "application/octet-stream",
        row.media_filename,
        row.media_size or 0,
        row.media_kind or "document",
    )
