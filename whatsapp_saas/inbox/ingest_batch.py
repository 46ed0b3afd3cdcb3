"""The body of one ingest transaction: any number of inbound events, one commit.

Per batch it costs a handful of statements, not a handful per message: identities and
conversations are looked up for the whole batch at once, messages go in with one multi-row
``INSERT ... ON CONFLICT (number_id, wa_message_id) DO NOTHING``, and each conversation's
counters are bumped once with the sum of what was really inserted (so a replay bumps nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.contacts.ids import Identity, identities_of
from whatsapp_saas.contacts.resolver import ContactResolver
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.db.sqlutil import dialect_name, insert_ignore
from whatsapp_saas.inbox.contact_merge import INBOX_PARTICIPANTS
from whatsapp_saas.inbox.conversation_rows import (
    Bump,
    ConversationKey,
    bump_many,
    find_or_create_many,
)
from whatsapp_saas.inbox.events import (
    ConversationUpdated,
    MessageStatusChanged,
    MessageStored,
    stored,
)
from whatsapp_saas.inbox.media import INBOUND_MAX_BYTES
from whatsapp_saas.inbox.models import Direction, MediaStatus, Message, MessageStatus, MessageType
from whatsapp_saas.inbox.pg_bulk import insert_messages
from whatsapp_saas.inbox.preview import message_type_of, preview
from whatsapp_saas.inbox.status import advance_by_wa_ids
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.events import InboundMessageArrived, ReceiptArrived
from whatsapp_saas.whatsapp.gateway import MessageReceived, ReceiptKind

MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]


@dataclass
class BatchOutcome:
    stored: list[MessageStored] = field(default_factory=list)
    conversations: list[ConversationUpdated] = field(default_factory=list)
    statuses: list[MessageStatusChanged] = field(default_factory=list)
    media_message_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    skipped: int = 0

    def events(self) -> list[Any]:
        return [*self.stored, *self.conversations, *self.statuses]


@dataclass
class _Row:
    event: InboundMessageArrived
    contact_id: int = 0
    conversation_id: int = 0

    @property
    def msg(self) -> MessageReceived:
        return self.event.message


def apply_batch(
    session: Session, *, events: Sequence[InboundMessageArrived | ReceiptArrived]
) -> BatchOutcome:
    """Persist ``events`` in the caller's transaction; announce them after its commit."""
    outcome = BatchOutcome()
    messages = [e for e in events if isinstance(e, InboundMessageArrived)]
    rows = _usable(messages, outcome)
    by_conversation, created = _place(session, rows)
    inserted = _insert(session, rows)
    outcome.duplicates = len(messages) - outcome.skipped - len(inserted)
    _record_stored(inserted, outcome)
    bumps = []
    for conversation_id in sorted(by_conversation):  # a fixed lock order: no deadlocks
        fresh = [r for r in by_conversation[conversation_id] if id(r) in inserted]
        if fresh:
            bumps.append(_bump(conversation_id, fresh))
    # A conversation this batch created, or one a customer's message reopened, is recorded as
    # ConversationOpened (automations' "conversation opened" trigger hears it on the spine).
    outcome.conversations.extend(bump_many(session, bumps=bumps, created=created))
    for event in events:
        if isinstance(event, ReceiptArrived):
            outcome.statuses.extend(_apply_receipt(session, event))
    announce_after_commit(session, *outcome.events())
    return outcome


def contact_jids(msg: MessageReceived) -> tuple[str | None, str | None]:
    """The customer's ids: the chat for our own messages, else the sender."""
    if msg.from_me:
        return msg.chat, None
    if msg.sender_jid or msg.sender_lid:
        return msg.sender_jid, msg.sender_lid
    return msg.chat, None


def _usable(messages: list[InboundMessageArrived], outcome: BatchOutcome) -> list[_Row]:
    """Drop groups, id-less traffic and repeats inside the batch (the database drops the rest)."""
    seen: set[tuple[int, str]] = set()
    rows: list[_Row] = []
    for event in messages:
        key = (event.number_id, event.message.message_id)
        if event.message.is_group or not identities_of(*contact_jids(event.message)):
            outcome.skipped += 1
        elif key not in seen:
            seen.add(key)
            rows.append(_Row(event))
    return rows


def _place(session: Session, rows: list[_Row]) -> tuple[dict[int, list[_Row]], set[int]]:
    """Resolve every row's contact and conversation; returns the rows per conversation, and
    the conversations created here."""
    by_tenant: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        by_tenant[row.event.tenant_id].append(row)
    by_conversation: dict[int, list[_Row]] = defaultdict(list)
    created: set[int] = set()
    for tenant_id, items in by_tenant.items():
        scope = TenantScope(session, tenant_id)
        resolver = ContactResolver(scope, participants=INBOX_PARTICIPANTS)
        identities = [identities_of(*contact_jids(r.msg)) for r in items]
        resolver.create_unknown(
            [(ids, _push_name(r)) for r, ids in zip(items, identities, strict=True)]
        )
        for row, ids in zip(items, identities, strict=True):
            row.contact_id = _resolve(resolver, row, ids)
        # Only now, after every merge this batch caused, are contact ids final.
        first_seen: dict[ConversationKey, datetime] = {}
        for row in items:
            row.contact_id = resolver.final_id(row.contact_id)
            first_seen.setdefault((row.event.number_id, row.contact_id), _utc(row.msg.timestamp))
        ids_by_key, new = find_or_create_many(scope, first_seen=first_seen)
        created |= new
        for row in items:
            row.conversation_id = ids_by_key[(row.event.number_id, row.contact_id)]
            by_conversation[row.conversation_id].append(row)
    return by_conversation, created


def _push_name(row: _Row) -> str | None:
    # Our own messages carry our push name, not the customer's.
    return None if row.msg.from_me else row.msg.push_name


def _resolve(resolver: ContactResolver, row: _Row, ids: list[Identity]) -> int:
    contact_id = resolver.resolve(ids, _push_name(row)).id
    assert contact_id is not None
    return contact_id


def _insert(session: Session, rows: list[_Row]) -> dict[int, tuple[_Row, int]]:
    """Multi-row insert, skipping ids already stored; {id(row): (row, message id)}."""
    values = [_values(row) for row in rows]
    if dialect_name(session) == "postgresql":
        returned: list[Any] = insert_messages(session, rows=values)
    else:
        returned = insert_ignore(
            session,
            table=MESSAGES,
            rows=values,
            conflict=["number_id", "wa_message_id"],
            returning=[MESSAGES.c.id, MESSAGES.c.number_id, MESSAGES.c.wa_message_id],
        )
    by_key = {(r.event.number_id, r.msg.message_id): r for r in rows}
    found: dict[int, tuple[_Row, int]] = {}
    for mid, number_id, wa_id in (tuple(r) for r in returned):
        row = by_key[(number_id, wa_id)]
        found[id(row)] = (row, mid)
    return found


def _values(row: _Row) -> dict[str, Any]:
    msg, at = row.msg, _utc(row.msg.timestamp)
    kind = message_type_of(msg.media)
    media = msg.media
    too_big = media is not None and (media.size or 0) > INBOUND_MAX_BYTES
    return {
        "tenant_id": row.event.tenant_id,
        "conversation_id": row.conversation_id,
        "number_id": row.event.number_id,
        "wa_message_id": msg.message_id,
        "direction": (Direction.OUT if msg.from_me else Direction.IN).value,
        "type": kind.value,
        "body": msg.text if kind is MessageType.TEXT else None,
        "caption": (msg.text or None) if kind is not MessageType.TEXT else None,
        "quoted_wa_id": msg.quoted_id,
        "reactions": {},
        "media_kind": media.kind.value if media else None,
        "media_mimetype": media.mimetype if media else None,
        "media_filename": media.filename if media else None,
        "media_size": media.size if media else None,
        "media_storage_key": None,
        "media_locator": media.locator if media else None,
        "media_status": _media_status(media is not None, too_big),
        "media_error": "too large" if too_big else None,
        "media_attempts": 0,
        "status": (MessageStatus.SENT if msg.from_me else MessageStatus.DELIVERED).value,
        "failure_reason": None,
        "queued_at": None,
        "sending_at": None,
        "sent_at": at if msg.from_me else None,
        "delivered_at": None if msg.from_me else at,
        "read_at": None,
        "failed_at": None,
        "wa_timestamp": at,
        "is_internal_note": False,
        "author_user_id": None,
        "sent_by": None,
        "created_at": utcnow(),
    }


def _media_status(has_media: bool, too_big: bool) -> str | None:
    if not has_media:
        return None
    return (MediaStatus.FAILED if too_big else MediaStatus.PENDING).value


def _record_stored(inserted: dict[int, tuple[_Row, int]], outcome: BatchOutcome) -> None:
    for row, message_id in inserted.values():
        media = row.msg.media
        outcome.stored.append(
            stored(
                tenant_id=row.event.tenant_id,
                message_id=message_id,
                conversation_id=row.conversation_id,
                number_id=row.event.number_id,
                contact_id=row.contact_id,
                direction=(Direction.OUT if row.msg.from_me else Direction.IN).value,
                type=message_type_of(media).value,
                wa_message_id=row.msg.message_id,
                has_media=media is not None,
            )
        )
        if media is not None and (media.size or 0) <= INBOUND_MAX_BYTES:
            outcome.media_message_ids.append(message_id)


def _bump(conversation_id: int, rows: list[_Row]) -> Bump:
    latest = max(rows, key=lambda r: _utc(r.msg.timestamp))
    inbound = [_utc(r.msg.timestamp) for r in rows if not r.msg.from_me]
    media = latest.msg.media
    text = preview(message_type_of(media).value, latest.msg.text, media.filename if media else None)
    return Bump(
        conversation_id,
        at=_utc(latest.msg.timestamp),
        preview=text,
        unread=len(inbound),
        inbound_at=max(inbound) if inbound else None,
    )


def _apply_receipt(session: Session, event: ReceiptArrived) -> list[MessageStatusChanged]:
    receipt = event.receipt
    status = (
        MessageStatus.DELIVERED if receipt.kind is ReceiptKind.DELIVERED else MessageStatus.READ
    )
    at = _utc(receipt.timestamp)
    moved = advance_by_wa_ids(
        session, number_id=event.number_id, wa_ids=list(receipt.message_ids), new=status, at=at
    )
    return [m.event(status, at, None) for m in moved if m.tenant_id == event.tenant_id]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
