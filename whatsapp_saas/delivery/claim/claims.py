"""Claiming outbound messages: ``queued -> sending`` with one conditional UPDATE
(:func:`whatsapp_saas.inbox.status.claim`, given this module's conditions).

Exactly one claimer wins a message: the UPDATE only matches rows still ``queued``, and the
database serialises concurrent UPDATEs of a row. A claim also requires that the message is not
held (a backoff or governor due time in ``delivery_states``) and that no older message of its
conversation is still unsent, so a conversation's messages go out in order.

``sending_at`` as written by the claim is the claim's token: later writes of this attempt
(back to queued, failed) match on it, so a slow worker can never undo a newer attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.contacts.ids import Identity
from whatsapp_saas.contacts.models import ContactIdentity, IdentityKind
from whatsapp_saas.delivery.common.jobs import SendJob
from whatsapp_saas.delivery.models import DeliveryState
from whatsapp_saas.inbox import status
from whatsapp_saas.inbox.models import Conversation, Message, MessageStatus

MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]
STATES: sa.Table = DeliveryState.__table__  # type: ignore[attr-defined]
CONVERSATIONS: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
IDENTITIES: sa.Table = ContactIdentity.__table__  # type: ignore[attr-defined]


def unsent(column: sa.ColumnElement[str | None]) -> sa.ColumnElement[bool]:
    """``status IN ('queued', 'sending')`` with literal values: SQLite only uses a partial
    index when the query repeats the index's predicate with constants, not parameters."""
    values: list[sa.ColumnElement[str]] = [
        sa.literal_column(f"'{s.value}'") for s in (MessageStatus.QUEUED, MessageStatus.SENDING)
    ]
    return column.in_(values)


def is_queued(column: sa.ColumnElement[str | None]) -> sa.ColumnElement[bool]:
    return column == sa.literal_column(f"'{MessageStatus.QUEUED.value}'")


@dataclass(frozen=True, slots=True)
class Ref:
    """One claimed attempt: enough to record its outcome."""

    message_id: int
    tenant_id: int
    number_id: int
    conversation_id: int
    token: datetime  # sending_at written by the claim
    queued_at: datetime | None


@dataclass(frozen=True, slots=True)
class Claimed:
    ref: Ref
    job: SendJob | None  # None: the contact has no WhatsApp address


def held(now: datetime) -> sa.ColumnElement[bool]:
    """The message has a backoff or governor due time still in the future."""
    return (
        sa.exists()
        .where(STATES.c.message_id == MESSAGES.c.id, STATES.c.next_attempt_at > now)
        .correlate(MESSAGES)
    )


def behind_older(messages: sa.Table | sa.Alias = MESSAGES) -> sa.ColumnElement[bool]:
    """An older message of the same conversation is still unsent."""
    older = MESSAGES.alias("older")
    return (
        sa.exists()
        .where(
            older.c.conversation_id == messages.c.conversation_id,
            older.c.id < messages.c.id,
            unsent(older.c.status),
        )
        .correlate(messages)
    )


_RETURNED = (
    "id",
    "tenant_id",
    "number_id",
    "conversation_id",
    "wa_message_id",
    "type",
    "body",
    "caption",
    "quoted_wa_id",
    "media_kind",
    "media_mimetype",
    "media_filename",
    "media_storage_key",
    "sent_by",
    "media_seconds",
    "queued_at",
)


def claim_batch(session: Session, *, message_ids: Sequence[int], now: datetime) -> list[Claimed]:
    """Claim whichever of ``message_ids`` are ready to send; the rest are someone else's."""
    if not message_ids:
        return []
    t = MESSAGES
    criteria = [t.c.id.in_(sorted(set(message_ids))), ~held(now), ~behind_older()]
    rows = status.claim(
        session, criteria=criteria, now=now, returning=[t.c[name] for name in _RETURNED]
    )
    addresses = _addresses(session, {row["conversation_id"] for row in rows})
    return [_claimed(row, now, addresses.get(row["conversation_id"])) for row in rows]


def _claimed(row: sa.RowMapping, now: datetime, to: str | None) -> Claimed:
    ref = Ref(
        row["id"], row["tenant_id"], row["number_id"], row["conversation_id"], now, row["queued_at"]
    )
    if to is None:
        return Claimed(ref, None)
    job = SendJob(
        message_id=row["id"],
        tenant_id=row["tenant_id"],
        number_id=row["number_id"],
        conversation_id=row["conversation_id"],
        wa_message_id=row["wa_message_id"],
        to=to,
        type=row["type"],
        text=row["body"],
        caption=row["caption"],
        quoted_wa_id=row["quoted_wa_id"],
        media_kind=row["media_kind"],
        media_mimetype=row["media_mimetype"],
        media_filename=row["media_filename"],
        media_key=row["media_storage_key"],
        sent_by=row["sent_by"],
        media_seconds=row["media_seconds"],
    )
    return Claimed(ref, job)


def _addresses(session: Session, conversation_ids: set[int]) -> dict[int, str]:
    """The JID to send to per conversation: the contact's phone when known, else its LID."""
    if not conversation_ids:
        return {}
    c, i = CONVERSATIONS, IDENTITIES
    query = (
        sa.select(c.c.id, i.c.kind, i.c.value)
        .select_from(c.join(i, i.c.contact_id == c.c.contact_id))
        .where(c.c.id.in_(sorted(conversation_ids)))
    )
    best: dict[int, Identity] = {}
    for conversation_id, kind, value in session.execute(query).all():
        candidate = Identity(kind, value)
        current = best.get(conversation_id)
        if current is None or _rank(candidate) < _rank(current):
            best[conversation_id] = candidate
    return {cid: identity.jid for cid, identity in best.items()}


def _rank(identity: Identity) -> tuple[bool, str]:
    return (identity.kind != IdentityKind.PHONE.value, identity.value)
