"""Merging two contacts that turned out to be one person (a LID and a phone, or a duplicate).

The merge keeps every id. The merged contact stays as a row marked ``merged_into_id``, so
whatever points at it (schedules, opt-outs, other packages' rows) keeps a valid foreign key,
and :func:`current_id` still resolves the old id to the survivor. Its WhatsApp ids move to the
survivor (an id names one person), and :class:`ContactsMerged` is recorded after commit.

This package owns only contact rows. Rows of other packages that point at a contact (the
inbox's conversations and messages) are moved by the :class:`MergeParticipant`\\ s the caller
passes in, inside the same transaction: the inbox's is
:data:`whatsapp_saas.inbox.contact_merge.INBOX`. A participant may also refuse a actor
(the inbox refuses contacts whose conversations the actor may not see).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlmodel import col, update

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.events import ContactsMerged
from whatsapp_saas.contacts.models import Contact, ContactIdentity
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


class MergeParticipant(Protocol):
    """A package whose rows point at contacts, taking part in a merge."""

    def check(self, scope: TenantScope, actor: CurrentUser, contact_ids: Sequence[int]) -> None:
        """Raise ``NotFound`` when ``actor`` may not touch one of ``contact_ids``."""

    def move(self, scope: TenantScope, *, survivor_id: int, merged_id: int) -> Mapping[int, int]:
        """Re-point this package's rows from ``merged_id`` to ``survivor_id``; returns the
        conversations folded into another, ``{old id: new id}`` (empty if none)."""


MergeParticipants = Sequence[MergeParticipant]


@dataclass
class MergeResult:
    survivor: Contact
    merged_id: int
    conversation_map: dict[int, int] = field(default_factory=dict)


def merge_contacts(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    survivor_id: int,
    merged_id: int,
    participants: MergeParticipants,
) -> MergeResult:
    """A person's merge of ``merged_id`` into ``survivor_id``.

    Refused with a clear error, changing nothing: another tenant's contact or actor
    (``NotFound``, as for a missing one), a contact the actor may not see, a contact into
    itself, or a contact already merged.
    """
    if actor.tenant_id != scope.tenant_id:
        raise NotFound(Contact, survivor_id)
    survivor, merged = _pair(scope, survivor_id, merged_id)
    for participant in participants:
        participant.check(scope, actor, [survivor_id, merged_id])
    return _fold(scope, survivor, merged, participants)


def fold_contacts(
    scope: TenantScope, *, survivor_id: int, merged_id: int, participants: MergeParticipants
) -> MergeResult:
    """The system's merge (WhatsApp tied a LID to a phone): no actor to check."""
    survivor, merged = _pair(scope, survivor_id, merged_id)
    return _fold(scope, survivor, merged, participants)


def current_id(scope: TenantScope, *, contact_id: int) -> int:
    """The id a contact has now: a merged contact's survivor (merges are one hop deep)."""
    contact = scope.get(Contact, contact_id)
    return contact.merged_into_id or contact_id


def _pair(scope: TenantScope, survivor_id: int, merged_id: int) -> tuple[Contact, Contact]:
    if survivor_id == merged_id:
        raise UserError("contacts.error_merge_self")
    # Lock in id order, so two merges of the same pair cannot deadlock.
    first, second = sorted((survivor_id, merged_id))
    locked = {c: scope.get(Contact, c, for_update=True) for c in (first, second)}
    survivor, merged = locked[survivor_id], locked[merged_id]
    if survivor.merged_into_id is not None or merged.merged_into_id is not None:
        raise UserError("contacts.error_merge_merged")
    return survivor, merged


def _fold(
    scope: TenantScope, survivor: Contact, merged: Contact, participants: MergeParticipants
) -> MergeResult:
    assert survivor.id is not None and merged.id is not None
    survivor_id, merged_id = survivor.id, merged.id
    scope.session.exec(
        update(ContactIdentity)
        .where(col(ContactIdentity.tenant_id) == scope.tenant_id)
        .where(col(ContactIdentity.contact_id) == merged_id)
        .values(contact_id=survivor_id)
    )
    mapping: dict[int, int] = {}
    for participant in participants:
        mapping.update(participant.move(scope, survivor_id=survivor_id, merged_id=merged_id))
    _fold_fields(survivor, merged)
    now = utcnow()
    merged.merged_into_id, merged.merged_at, merged.updated_at = survivor_id, now, now
    # Contacts merged into this one earlier now belong to the survivor: one hop, always.
    scope.session.exec(
        update(Contact)
        .where(col(Contact.tenant_id) == scope.tenant_id)
        .where(col(Contact.merged_into_id) == merged_id)
        .values(merged_into_id=survivor_id)
    )
    scope.session.add_all([survivor, merged])
    scope.session.flush()
    announce_after_commit(
        scope.session,
        ContactsMerged(scope.tenant_id, survivor_id, merged_id, tuple(sorted(mapping.items()))),
    )
    return MergeResult(survivor, merged_id, mapping)


def _fold_fields(survivor: Contact, merged: Contact) -> None:
    survivor.name = survivor.name or merged.name
    survivor.push_name = survivor.push_name or merged.push_name
    survivor.phone = survivor.phone or merged.phone
    survivor.tags = list(dict.fromkeys([*survivor.tags, *merged.tags]))
    survivor.updated_at = utcnow()
