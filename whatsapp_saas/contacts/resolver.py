"""Finding (or creating, or merging) the contact behind the WhatsApp ids of a message.

One resolver serves one tenant inside one transaction and caches what it learned, so a batch
of messages from the same people costs one identity query, not one per message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import and_, col, or_, select

from whatsapp_saas import phones
from whatsapp_saas.contacts import bulk
from whatsapp_saas.contacts.events import ContactCreated
from whatsapp_saas.contacts.ids import Identity
from whatsapp_saas.contacts.merge import MergeParticipants, fold_contacts
from whatsapp_saas.contacts.models import Contact, ContactIdentity, IdentityKind
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.db.sqlutil import insert_ignore
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

PUSH_NAME_MAX = 120


class ContactResolver:
    """``participants`` take part in the merges resolving may cause (the inbox moves its
    conversations: :data:`whatsapp_saas.inbox.contact_merge.INBOX_PARTICIPANTS`)."""

    def __init__(self, scope: TenantScope, *, participants: MergeParticipants) -> None:
        self.scope = scope
        self.participants = participants
        self._owner: dict[Identity, int] = {}
        self._checked: set[Identity] = set()
        self._contacts: dict[int, Contact] = {}
        self._merged: dict[int, int] = {}  # merged id -> survivor id

    def final_id(self, contact_id: int) -> int:
        """The id a contact has now (following merges made by this resolver)."""
        while contact_id in self._merged:
            contact_id = self._merged[contact_id]
        return contact_id

    def prefetch(self, identities: Iterable[Identity]) -> None:
        """Load the owners of many identities (and the contacts) in two queries."""
        wanted = {i for i in identities if i not in self._checked}
        if not wanted:
            return
        self._checked |= wanted
        by_kind: dict[str, set[str]] = {}
        for ident in wanted:
            by_kind.setdefault(ident.kind, set()).add(ident.value)
        # One (kind, value IN ...) arm per kind, so each uses the unique index.
        query = (
            select(ContactIdentity.kind, ContactIdentity.value, ContactIdentity.contact_id)
            .where(ContactIdentity.tenant_id == self.scope.tenant_id)
            .where(
                or_(
                    *(
                        and_(ContactIdentity.kind == kind, col(ContactIdentity.value).in_(values))
                        for kind, values in by_kind.items()
                    )
                )
            )
        )
        for kind, value, contact_id in self.scope.session.exec(query).all():
            self._owner[Identity(kind, value)] = contact_id
        missing = set(self._owner.values()) - self._contacts.keys()
        if missing:
            for contact in self.scope.all(Contact, col(Contact.id).in_(missing)):
                assert contact.id is not None
                self._contacts[contact.id] = contact

    def create_unknown(self, items: Sequence[tuple[list[Identity], str | None]]) -> None:
        """Create, in a few statements, the contacts of every id set nobody owns yet.

        A batch full of first-time customers would otherwise cost two round trips each.
        """
        self.prefetch(i for ids, _ in items for i in ids)
        groups = bulk.unowned_groups(items, self._owner.keys())
        if not groups:
            return
        contacts = bulk.insert_contacts(self.scope, groups=groups)
        pairs = [(i, c.id) for g, c in zip(groups, contacts, strict=True) for i in g.identities]
        attached = bulk.insert_identities(self.scope, pairs=pairs)  # type: ignore[arg-type]
        for ident, contact_id in attached:
            self._owner[ident] = contact_id
        owning = {contact_id for _, contact_id in attached}
        for contact in contacts:
            if contact.id in owning:
                self._contacts[contact.id] = contact
        created = (ContactCreated(self.scope.tenant_id, c) for c in sorted(owning))
        announce_after_commit(self.scope.session, *created)
        bulk.delete_orphans(self.scope, contact_ids=[c.id for c in contacts if c.id not in owning])  # type: ignore[misc]

    def resolve(self, identities: list[Identity], push_name: str | None) -> Contact:
        """The one contact owning ``identities``; created, or merged from several, if needed."""
        if not identities:
            raise ValueError("a contact needs at least one WhatsApp id")
        self.prefetch(identities)
        owners = sorted({self.final_id(self._owner[i]) for i in identities if i in self._owner})
        if owners:
            contact = self._contact(owners[0])
            for other in owners[1:]:
                contact = self._merge(contact.id, other)  # type: ignore[arg-type]
        else:
            contact = self._create(identities, push_name)
        for ident in identities:
            if ident not in self._owner:
                contact = self._attach(contact, ident)
        self._refresh(contact, identities, push_name)
        return contact

    def _contact(self, contact_id: int) -> Contact:
        if contact_id not in self._contacts:
            self._contacts[contact_id] = self.scope.get(Contact, contact_id)
        return self._contacts[contact_id]

    def _create(self, identities: list[Identity], push_name: str | None) -> Contact:
        contact = self.scope.add(
            Contact(
                tenant_id=self.scope.tenant_id,
                push_name=(push_name or None) and push_name[:PUSH_NAME_MAX],
                phone=_phone_of(identities),
            )
        )
        self.scope.session.flush()
        assert contact.id is not None
        self._contacts[contact.id] = contact
        announce_after_commit(self.scope.session, ContactCreated(self.scope.tenant_id, contact.id))
        return contact

    def _attach(self, contact: Contact, ident: Identity) -> Contact:
        """Give ``contact`` this id; if someone just took it, merge with them instead."""
        assert contact.id is not None
        row = {
            "tenant_id": self.scope.tenant_id,
            "contact_id": contact.id,
            "kind": ident.kind,
            "value": ident.value,
            "created_at": utcnow(),
        }
        table = ContactIdentity.__table__  # type: ignore[attr-defined]
        conflict = ["tenant_id", "kind", "value"]
        if insert_ignore(
            self.scope.session, table=table, rows=[row], conflict=conflict, returning=[table.c.id]
        ):
            self._owner[ident] = contact.id
            return contact
        # A concurrent transaction attached it first (and committed): one person, merge.
        owner = self.scope.session.exec(
            select(ContactIdentity.contact_id)
            .where(ContactIdentity.tenant_id == self.scope.tenant_id)
            .where(ContactIdentity.kind == ident.kind, ContactIdentity.value == ident.value)
        ).one()
        if owner == contact.id:  # attached earlier in this transaction
            self._owner[ident] = owner
            return contact
        survivor = self._merge(min(owner, contact.id), max(owner, contact.id))
        self._owner[ident] = survivor.id  # type: ignore[assignment]
        return survivor

    def _merge(self, survivor_id: int, merged_id: int) -> Contact:
        result = fold_contacts(
            self.scope,
            survivor_id=survivor_id,
            merged_id=merged_id,
            participants=self.participants,
        )
        self._merged[merged_id] = survivor_id
        self._contacts.pop(merged_id, None)
        self._contacts[survivor_id] = result.survivor
        for ident, owner in list(self._owner.items()):
            if owner == merged_id:
                self._owner[ident] = survivor_id
        return result.survivor

    def _refresh(self, contact: Contact, identities: list[Identity], push_name: str | None) -> None:
        """Keep the push name current and fill the phone once we learn it."""
        changed = False
        if push_name and push_name[:PUSH_NAME_MAX] != contact.push_name:
            contact.push_name = push_name[:PUSH_NAME_MAX]
            changed = True
        if contact.phone is None and (phone := _phone_of(identities)):
            contact.phone = phone
            changed = True
        if changed:
            contact.updated_at = utcnow()
            self.scope.session.add(contact)


def _phone_of(identities: list[Identity]) -> str | None:
    for ident in identities:
        if ident.kind == IdentityKind.PHONE:
            return phones.to_e164(ident.value, None)
    return None
