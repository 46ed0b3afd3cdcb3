"""Likely duplicates of a contact, for a person to merge (nothing here merges by itself).

Two contacts are suggested as one person when:
- they have the same phone in different forms: what was typed, imported or seen on WhatsApp,
  including a Brazilian mobile with and without its ninth digit;
- a LID and a phone are tied together: one contact is known to WhatsApp by its LID only,
  but carries the phone (WhatsApp gave it), which the other contact is known by.
Contacts have no email yet, so email is not compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas import phones
from whatsapp_saas.contacts.models import Contact, ContactIdentity, IdentityKind
from whatsapp_saas.tenancy.scope import TenantScope

SAME_PHONE = "same_phone"
LID_AND_PHONE = "lid_and_phone"
LIMIT = 20


@dataclass(frozen=True, slots=True)
class DuplicateSuggestion:
    contact_id: int
    reason: str  # SAME_PHONE or LID_AND_PHONE


def suggest_duplicates(scope: TenantScope, *, contact_id: int) -> list[DuplicateSuggestion]:
    """Other live contacts of this tenant that are likely the same person (NotFound for a
    contact of another tenant)."""
    contact = scope.get(Contact, contact_id)
    kinds = _identity_kinds(scope, [contact_id])
    forms = _phone_forms(scope, contact)
    if not forms:
        return []
    found: dict[int, str] = {}
    for other in _phone_matches(scope, forms, exclude=contact_id):
        found.setdefault(other, SAME_PHONE)
    other_kinds = _identity_kinds(scope, list(found))
    mine_lid_only = kinds.get(contact_id) == {IdentityKind.LID.value}
    for other in found:
        theirs_lid_only = other_kinds.get(other) == {IdentityKind.LID.value}
        if mine_lid_only != theirs_lid_only:
            found[other] = LID_AND_PHONE
    return [DuplicateSuggestion(c, r) for c, r in sorted(found.items())][:LIMIT]


def _phone_forms(scope: TenantScope, contact: Contact) -> set[str]:
    """Every E.164 form of every phone this contact is known by."""
    values = [contact.phone] if contact.phone else []
    query = select(ContactIdentity.value).where(
        ContactIdentity.tenant_id == scope.tenant_id,
        ContactIdentity.contact_id == contact.id,
        ContactIdentity.kind == IdentityKind.PHONE.value,
    )
    values.extend(scope.session.exec(query).all())
    forms: set[str] = set()
    for value in values:
        e164 = phones.to_e164(value)
        if e164:
            forms |= phones.same_number_forms(e164)
    return forms


def _phone_matches(scope: TenantScope, forms: set[str], *, exclude: int) -> list[int]:
    """Live contacts whose phone, or one of whose phone ids, is one of ``forms``."""
    by_identity = select(ContactIdentity.contact_id).where(
        ContactIdentity.tenant_id == scope.tenant_id,
        ContactIdentity.kind == IdentityKind.PHONE.value,
        col(ContactIdentity.value).in_(sorted(forms)),
    )
    query = (
        select(Contact.id)
        .where(Contact.tenant_id == scope.tenant_id, col(Contact.merged_into_id).is_(None))
        .where(col(Contact.id) != exclude)
        .where(sa.or_(col(Contact.phone).in_(sorted(forms)), col(Contact.id).in_(by_identity)))
        .order_by(col(Contact.id))
        .limit(LIMIT)
    )
    return [int(i) for i in scope.session.exec(query).all() if i is not None]


def _identity_kinds(scope: TenantScope, contact_ids: list[int]) -> dict[int, set[str]]:
    if not contact_ids:
        return {}
    query = select(ContactIdentity.contact_id, ContactIdentity.kind).where(
        ContactIdentity.tenant_id == scope.tenant_id,
        col(ContactIdentity.contact_id).in_(contact_ids),
    )
    kinds: dict[int, set[str]] = {}
    for owner, kind in scope.session.exec(query).all():
        kinds.setdefault(owner, set()).add(kind)
    return kinds
