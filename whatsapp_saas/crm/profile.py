"""Editing a contact's CRM profile: one validated change set, logged field by field.

Every value is checked before anything is written (custom fields through
:func:`whatsapp_saas.crm.fields.validate_values`); an invalid one raises
:class:`FieldErrors` naming each bad field, and nothing changes. A saved change announces
``ContactUpdated`` after commit, so other open screens can refresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.events import ContactUpdated
from whatsapp_saas.contacts.ids import Identity
from whatsapp_saas.contacts.models import Contact, ContactIdentity, IdentityKind
from whatsapp_saas.contacts.resolver import ContactResolver
from whatsapp_saas.crm.field_types import clean_email
from whatsapp_saas.crm.fields import FieldErrors, searchable_text, validate_values
from whatsapp_saas.crm.models import FieldEntity
from whatsapp_saas.crm.timeline import record_change
from whatsapp_saas.crm.visibility import visible_contact
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.contact_merge import INBOX_PARTICIPANTS
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.phones import DEFAULT_REGION, for_people, same_number_forms, to_e164
from whatsapp_saas.scheduling.models import ContactOptOut
from whatsapp_saas.scheduling.optout import record_opt_out, revoke_opt_out
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.text_fold import fold

NAME_MAX = 120
COMPANY_MAX = 120
CORE_FIELDS = ("name", "email", "company", "owner_user_id")


@dataclass(frozen=True)
class OptOutStatus:
    opted_out: bool
    at: datetime | None = None
    source: str = ""
    by_user_id: int | None = None


def new_contact(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    phone: str,
    name: str = "",
    region: str | None = DEFAULT_REGION,
) -> tuple[Contact, bool]:
    """A contact typed in by a person: (the contact, whether it is new). An existing contact
    with that number is returned as it is (its name is filled in only if it had none)."""
    e164 = to_e164(phone, region)
    errors: dict[str, str] = {}
    if e164 is None:
        errors["phone"] = "contacts.error_phone_invalid"
    cleaned_name = " ".join(name.split())
    if len(cleaned_name) > NAME_MAX:
        errors["name"] = "crm.error_value_too_long"
    if errors:
        raise FieldErrors(errors)
    assert e164 is not None
    before = scope.count(Contact)
    resolver = ContactResolver(scope, participants=INBOX_PARTICIPANTS)
    contact = resolver.resolve([Identity(IdentityKind.PHONE.value, e164)], None)
    created = scope.count(Contact) > before
    if cleaned_name and not contact.name:
        contact.name = cleaned_name
    if created:
        contact.owner_user_id = actor.user_id
    scope.session.add(contact)
    scope.session.flush()
    assert contact.id is not None
    if created:
        record_change(
            scope,
            contact_id=contact.id,
            user_id=actor.user_id,
            field="created",
            old=None,
            new=e164,
        )
    announce_after_commit(scope.session, ContactUpdated(scope.tenant_id, contact.id))
    return contact, created


def update_profile(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    contact_id: int,
    changes: Mapping[str, Any],
) -> Contact:
    """Apply ``changes`` ({"name": …, "email": …, "company": …, "owner_user_id": …,
    "fields": {key: raw}}) as one unit; FieldErrors (nothing written) when any is invalid."""
    contact = visible_contact(scope, actor=actor, contact_id=contact_id, for_update=True)
    core, fields = _validated(scope, changes)
    for key, value in core.items():
        old = getattr(contact, key)
        if old != value:
            record_change(
                scope,
                contact_id=contact_id,
                user_id=actor.user_id,
                field=key,
                old=_owner_label(scope, old) if key == "owner_user_id" else old,
                new=_owner_label(scope, value) if key == "owner_user_id" else value,
            )
            setattr(contact, key, value)
    if fields:
        _apply_fields(scope, contact, fields, actor.user_id)
    touch(contact)
    scope.session.add(contact)
    scope.session.flush()
    announce_after_commit(scope.session, ContactUpdated(scope.tenant_id, contact_id))
    return contact


class PhoneTaken(UserError):
    """The number is another contact's: merging the two is the way to give it to this one."""

    def __init__(self, *, contact_id: int, name: str, phone: str) -> None:
        super().__init__("crm.error_phone_taken", name=name, phone=for_people(phone))
        self.contact_id = contact_id
        self.name = name


def add_phone(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    contact_id: int,
    phone: str,
    region: str | None = DEFAULT_REGION,
) -> Contact:
    """Give the contact one more phone (typed as people type it; stored as E.164, its JID the
    phone's). FieldErrors when it is no number; :class:`PhoneTaken` when another contact of
    the tenant has it (in either Brazilian mobile form). Adding one it already has is a no-op.
    """
    contact = visible_contact(scope, actor=actor, contact_id=contact_id, for_update=True)
    e164 = to_e164(phone, region)
    if e164 is None:
        raise FieldErrors({"phone": "contacts.error_phone_invalid"})
    owners = scope.all(
        ContactIdentity,
        ContactIdentity.kind == IdentityKind.PHONE.value,
        col(ContactIdentity.value).in_(sorted(same_number_forms(e164))),
    )
    other = next((row for row in owners if row.contact_id != contact_id), None)
    if other is not None:
        taken = scope.get(Contact, other.contact_id)
        raise PhoneTaken(contact_id=other.contact_id, name=taken.display_name, phone=other.value)
    if any(row.value == e164 for row in owners):
        return contact
    scope.add(
        ContactIdentity(
            tenant_id=scope.tenant_id,
            contact_id=contact_id,
            kind=IdentityKind.PHONE.value,
            value=e164,
        )
    )
    if contact.phone is None:
        contact.phone = e164
    record_change(
        scope, contact_id=contact_id, user_id=actor.user_id, field="phone", old=None, new=e164
    )
    return _phone_saved(scope, contact)


def remove_phone(scope: TenantScope, *, actor: CurrentUser, contact_id: int, phone: str) -> Contact:
    """Take a phone off the contact, unless a conversation uses it (its history stays with
    the number it was exchanged with): then ``crm.error_phone_in_use``, nothing changes."""
    contact = visible_contact(scope, actor=actor, contact_id=contact_id, for_update=True)
    e164 = to_e164(phone, None, valid=False) or phone.strip()
    row = scope.first(
        ContactIdentity,
        ContactIdentity.contact_id == contact_id,
        ContactIdentity.kind == IdentityKind.PHONE.value,
        ContactIdentity.value == e164,
    )
    if row is None:
        raise NotFound(ContactIdentity, e164)
    if phone_in_use(scope, contact=contact, e164=e164):
        raise UserError("crm.error_phone_in_use", phone=for_people(e164))
    scope.session.delete(row)
    scope.session.flush()
    if contact.phone == e164:
        rest = scope.all(
            ContactIdentity,
            ContactIdentity.contact_id == contact_id,
            ContactIdentity.kind == IdentityKind.PHONE.value,
        )
        contact.phone = min((r.value for r in rest), default=None)
    record_change(
        scope, contact_id=contact_id, user_id=actor.user_id, field="phone", old=e164, new=None
    )
    return _phone_saved(scope, contact)


def phone_in_use(scope: TenantScope, *, contact: Contact, e164: str) -> bool:
    """Whether a conversation goes through this phone of the contact. Conversations are
    addressed to the contact's main phone (``Contact.phone``; see
    :func:`whatsapp_saas.contacts.service.contact_identities`), so that one is in use as soon
    as the contact has a conversation, and so is the phone of a contact that has no other."""
    if scope.first(Conversation, Conversation.contact_id == contact.id) is None:
        return False
    phones = scope.all(
        ContactIdentity,
        ContactIdentity.contact_id == contact.id,
        ContactIdentity.kind == IdentityKind.PHONE.value,
    )
    return e164 == contact.phone or contact.phone is None or len(phones) <= 1


def _phone_saved(scope: TenantScope, contact: Contact) -> Contact:
    assert contact.id is not None
    contact.updated_at = utcnow()
    scope.session.add(contact)
    scope.session.flush()
    announce_after_commit(scope.session, ContactUpdated(scope.tenant_id, contact.id))
    return contact


def _validated(
    scope: TenantScope, changes: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    errors: dict[str, str] = {}
    core: dict[str, Any] = {}
    for key in CORE_FIELDS:
        if key in changes:
            try:
                core[key] = _clean_core(scope, key, changes[key])
            except UserError as err:
                errors[key] = err.code
    fields: dict[str, Any] = {}
    if changes.get("fields"):
        try:
            fields = validate_values(
                scope, entity=FieldEntity.CONTACT.value, values=changes["fields"]
            )
        except FieldErrors as err:
            errors.update({f"field:{k}": v for k, v in err.errors.items()})
    if errors:
        raise FieldErrors(errors)
    return core, fields


def _clean_core(scope: TenantScope, key: str, raw: Any) -> Any:
    text = " ".join(str(raw or "").split())
    if key == "owner_user_id":
        if not text:
            return None
        if not text.isdigit() or scope.first(User, col(User.id) == int(text)) is None:
            raise UserError("crm.error_owner_unknown")
        return int(text)
    if not text:
        return None
    if key == "email":
        return clean_email(text)
    limit = NAME_MAX if key == "name" else COMPANY_MAX
    if len(text) > limit:
        raise UserError("crm.error_value_too_long")
    return text


def _apply_fields(
    scope: TenantScope, contact: Contact, fields: Mapping[str, Any], user_id: int | None
) -> None:
    assert contact.id is not None
    merged = dict(contact.custom_fields or {})
    for key, value in fields.items():
        old = merged.get(key)
        if old == value:
            continue
        record_change(
            scope, contact_id=contact.id, user_id=user_id, field=f"field:{key}", old=old, new=value
        )
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    contact.custom_fields = merged


def touch(contact: Contact) -> None:
    """Stamp the change and rebuild the folded search text (email, company, field values)."""
    contact.updated_at = utcnow()
    parts = [
        contact.email or "",
        contact.company or "",
        searchable_text(contact.custom_fields or {}),
    ]
    text = fold(" ".join(p for p in parts if p))
    contact.crm_text = text or None


def _owner_label(scope: TenantScope, user_id: Any) -> str | None:
    if user_id is None:
        return None
    user = scope.first(User, col(User.id) == user_id)
    return user.name if user else str(user_id)


def opt_out_status(scope: TenantScope, *, contact_id: int) -> OptOutStatus:
    row = scope.first(
        ContactOptOut,
        ContactOptOut.contact_id == contact_id,
        col(ContactOptOut.revoked_at).is_(None),
    )
    if row is None:
        return OptOutStatus(False)
    return OptOutStatus(True, as_utc(row.opted_out_at), row.source, row.by_user_id)


def opt_out(scope: TenantScope, *, actor: CurrentUser, contact_id: int) -> OptOutStatus:
    """A manual opt-out, recorded with who did it (an existing opt-out is kept as it is)."""
    visible_contact(scope, actor=actor, contact_id=contact_id, for_update=True)
    before = opt_out_status(scope, contact_id=contact_id)
    if before.opted_out:
        return before
    row = record_opt_out(scope, contact_id=contact_id, source="manual")
    row.by_user_id = actor.user_id
    scope.session.add(row)
    record_change(
        scope, contact_id=contact_id, user_id=actor.user_id, field="opt_out", old="no", new="yes"
    )
    scope.session.flush()
    announce_after_commit(scope.session, ContactUpdated(scope.tenant_id, contact_id))
    return opt_out_status(scope, contact_id=contact_id)


def opt_in(scope: TenantScope, *, actor: CurrentUser, contact_id: int) -> OptOutStatus:
    """The customer asked to hear from us again: the opt-out is revoked, by whom and when."""
    visible_contact(scope, actor=actor, contact_id=contact_id, for_update=True)
    rows = scope.all(
        ContactOptOut,
        ContactOptOut.contact_id == contact_id,
        col(ContactOptOut.revoked_at).is_(None),
    )
    if revoke_opt_out(scope, contact_id=contact_id):
        for row in rows:
            row.revoked_by_user_id = actor.user_id
            scope.session.add(row)
        record_change(
            scope,
            contact_id=contact_id,
            user_id=actor.user_id,
            field="opt_out",
            old="yes",
            new="no",
        )
        scope.session.flush()
        announce_after_commit(scope.session, ContactUpdated(scope.tenant_id, contact_id))
    return opt_out_status(scope, contact_id=contact_id)
