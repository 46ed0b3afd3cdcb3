"""Merging two contacts from the CRM, and the duplicates it suggests.

The merge engine itself is :mod:`whatsapp_saas.contacts.merge` (it keeps every id, records
``ContactsMerged``), bound to the inbox's part by :mod:`whatsapp_saas.inbox.contact_merge`
(the inbox moves its own conversations). Before calling it, the CRM's own rows (notes,
change log, tags) move to the
survivor and its empty profile fields are filled from the merged contact, so nothing the
team wrote is lost with the merged row.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts import duplicates
from whatsapp_saas.contacts import merge as engine
from whatsapp_saas.contacts.models import Contact, ContactIdentity, IdentityKind
from whatsapp_saas.crm import tags as tag_svc
from whatsapp_saas.crm.models import Change, ContactTag, Note
from whatsapp_saas.crm.profile import touch
from whatsapp_saas.crm.timeline import record_change
from whatsapp_saas.crm.visibility import visible_contact
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.contact_merge import merge_contacts as merge_with_inbox
from whatsapp_saas.tenancy.scope import TenantScope

REASONS = {
    duplicates.SAME_PHONE: "crm.dup_same_phone",
    duplicates.LID_AND_PHONE: "crm.dup_lid_and_phone",
}


@dataclass(frozen=True)
class Suggestion:
    contact_id: int
    name: str
    reason: str  # i18n key


def merge_contacts(
    scope: TenantScope, *, actor: CurrentUser, survivor_id: int, merged_id: int
) -> engine.MergeResult:
    """Fold ``merged_id`` into ``survivor_id``; both must be visible to ``viewer``."""
    if survivor_id == merged_id:
        raise UserError("crm.error_merge_same")
    survivor = visible_contact(scope, actor=actor, contact_id=survivor_id, for_update=True)
    merged = visible_contact(scope, actor=actor, contact_id=merged_id, for_update=True)
    _carry_crm_rows(scope, survivor_id, merged_id)
    for key in ("email", "company", "owner_user_id"):
        if getattr(survivor, key) is None and getattr(merged, key) is not None:
            setattr(survivor, key, getattr(merged, key))
    survivor.custom_fields = {**(merged.custom_fields or {}), **(survivor.custom_fields or {})}
    touch(survivor)
    scope.session.add(survivor)
    record_change(
        scope,
        contact_id=survivor_id,
        user_id=actor.user_id,
        field="merged",
        old=merged.display_name,
        new=survivor.display_name,
    )
    scope.session.flush()
    result = merge_with_inbox(scope, actor=actor, survivor_id=survivor_id, merged_id=merged_id)
    tag_svc.sync_names(scope, contact_ids=[survivor_id])
    return result


def _carry_crm_rows(scope: TenantScope, survivor_id: int, merged_id: int) -> None:
    for model in (Note, Change):
        scope.session.execute(
            sa.update(model)
            .where(col(model.tenant_id) == scope.tenant_id, col(model.contact_id) == merged_id)
            .values(contact_id=survivor_id)
        )
    tag_ids = [t.id for t in tag_svc.contact_tags(scope, contact_id=merged_id) if t.id is not None]
    for tag_id in tag_ids:
        tag_svc.tag_contacts(scope, tag_id=tag_id, contact_ids=[survivor_id])
    scope.session.execute(
        sa.delete(ContactTag).where(
            col(ContactTag.tenant_id) == scope.tenant_id, col(ContactTag.contact_id) == merged_id
        )
    )


def suggest_duplicates(
    scope: TenantScope, *, actor: CurrentUser, contact_id: int, limit: int = 5
) -> list[Suggestion]:
    """Likely duplicates: the same phone in another form, a LID that WhatsApp tied to one of
    this contact's phones (:mod:`whatsapp_saas.contacts.duplicates`), or the same email."""
    contact = visible_contact(scope, actor=actor, contact_id=contact_id)
    found: dict[int, Suggestion] = {}
    if contact.email:
        for other in scope.all(
            Contact,
            col(Contact.email) == contact.email,
            col(Contact.id) != contact_id,
            col(Contact.merged_into_id).is_(None),
        ):
            assert other.id is not None
            found[other.id] = Suggestion(other.id, other.display_name, "crm.dup_same_email")
    for dup in duplicates.suggest_duplicates(scope, contact_id=contact_id):
        if dup.contact_id not in found:
            other = scope.get(Contact, dup.contact_id)
            found[dup.contact_id] = Suggestion(
                dup.contact_id, other.display_name, REASONS[dup.reason]
            )
    visible = set(_visible(scope, actor, list(found)))
    return [s for s in found.values() if s.contact_id in visible][:limit]


def _phones(scope: TenantScope, contact: Contact) -> set[str]:
    rows = scope.all(
        ContactIdentity,
        ContactIdentity.contact_id == contact.id,
        ContactIdentity.kind == IdentityKind.PHONE.value,
    )
    return {r.value for r in rows} | ({contact.phone} if contact.phone else set())


def _visible(scope: TenantScope, actor: CurrentUser, ids: list[int]) -> list[int]:
    from whatsapp_saas.crm.visibility import visible_ids

    return visible_ids(scope, actor=actor, contact_ids=ids)
