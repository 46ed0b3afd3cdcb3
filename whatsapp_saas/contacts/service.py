"""Contact services: plain functions over a :class:`TenantScope`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col

from whatsapp_saas import phones
from whatsapp_saas.contacts.ids import Identity, identities_of
from whatsapp_saas.contacts.merge import MergeParticipants
from whatsapp_saas.contacts.models import Contact, ContactIdentity, IdentityKind
from whatsapp_saas.contacts.resolver import ContactResolver
from whatsapp_saas.contacts.search import contact_matches
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

NAME_MAX = 120
TAG_MAX = 40


def resolve_contact(
    scope: TenantScope,
    *,
    sender_jid: str | None,
    sender_lid: str | None,
    push_name: str | None,
    participants: MergeParticipants,
) -> Contact:
    """Find or create the contact behind these WhatsApp ids.

    When the ids belong to two different contacts (a LID seen first, the phone later, or the
    other way round), they are merged into the older one; ``participants`` move their rows.
    """
    identities = identities_of(sender_jid, sender_lid)
    if not identities:
        raise ValueError(f"no usable WhatsApp id in {sender_jid!r} / {sender_lid!r}")
    return ContactResolver(scope, participants=participants).resolve(identities, push_name)


def get_contact(scope: TenantScope, *, contact_id: int) -> Contact:
    return scope.get(Contact, contact_id)


def contact_identities(scope: TenantScope, *, contact_id: int) -> list[Identity]:
    """The WhatsApp ids of a contact (of its survivor, when it was merged): its main phone
    (``Contact.phone``) first, so a phone added later never takes its conversations over."""
    rows = scope.all(ContactIdentity, ContactIdentity.contact_id == contact_id)
    if not rows:  # a merged contact's ids moved to its survivor
        merged = scope.first(Contact, col(Contact.id) == contact_id)
        if merged is not None and merged.merged_into_id is not None:
            rows = scope.all(ContactIdentity, ContactIdentity.contact_id == merged.merged_into_id)
    main: str | None = None
    if sum(r.kind == IdentityKind.PHONE for r in rows) > 1:
        owner = scope.first(Contact, col(Contact.id) == rows[0].contact_id)
        main = owner.phone if owner is not None else None
    return sorted(
        (Identity(r.kind, r.value) for r in rows),
        key=lambda i: (i.kind != IdentityKind.PHONE, i.value != main, i.value),
    )


def contact_address(scope: TenantScope, *, contact_id: int) -> str | None:
    """The JID to send to: the phone when we know it, else the LID."""
    found = contact_identities(scope, contact_id=contact_id)
    return found[0].jid if found else None


def list_contacts(
    scope: TenantScope, *, search: str | None = None, after_id: int | None = None, limit: int = 50
) -> Sequence[Contact]:
    """Contacts by id (keyset on ``after_id``), optionally matching name, push name or phone."""
    query = (
        scope.select(Contact)
        .where(col(Contact.merged_into_id).is_(None))
        .order_by(col(Contact.id))
        .limit(min(max(limit, 1), 200))
    )
    if after_id is not None:
        query = query.where(col(Contact.id) > after_id)
    if search and search.strip():
        query = query.where(contact_matches(scope.session, text=search))
    return scope.session.exec(query).all()


def create_contact(
    scope: TenantScope,
    *,
    phone: str,
    name: str | None = None,
    participants: MergeParticipants = (),
) -> Contact:
    """A contact typed in by a person (to start a conversation); reuses an existing one.

    One phone id can only cause a merge when another writer attached it in the meantime; then
    the contact this call just created (which nothing points at yet) folds into theirs, so no
    participant has rows to move unless the caller says otherwise.
    """
    e164 = phones.require_e164(phone, error_code="contacts.error_phone_invalid")
    resolver = ContactResolver(scope, participants=participants)
    contact = resolver.resolve([Identity(IdentityKind.PHONE.value, e164)], None)
    if name and name.strip() and not contact.name:
        contact.name = _clean_name(name)
        scope.session.add(contact)
    return contact


def update_contact(scope: TenantScope, *, contact_id: int, name: str | None = None) -> Contact:
    """Rename a contact. Tags are not set here: they live in the CRM's tag tables (which
    filters, segments and campaigns read), see ``crm.tags.set_contact_tag_names``; writing
    ``contacts.tags`` alone would show a tag that no filter finds."""
    contact = scope.get(Contact, contact_id)
    if name is not None:
        contact.name = _clean_name(name) if name.strip() else None
    contact.updated_at = utcnow()
    scope.session.add(contact)
    return contact


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if len(cleaned) > NAME_MAX:
        raise UserError("error.too_long", limit=NAME_MAX)
    return cleaned
