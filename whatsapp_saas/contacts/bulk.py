"""Creating many new contacts at once (a busy ingest batch full of first-time customers).

Two statements for any number of contacts: the contacts (RETURNING their ids, in order) and
their identities (ON CONFLICT DO NOTHING). An identity a concurrent writer took first is
simply not attached here; :meth:`ContactResolver.resolve` then finds it taken and merges.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import col

from whatsapp_saas import phones
from whatsapp_saas.contacts.ids import Identity
from whatsapp_saas.contacts.models import Contact, ContactIdentity, IdentityKind
from whatsapp_saas.db.sqlutil import insert_ignore
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

CONTACTS: sa.Table = Contact.__table__  # type: ignore[attr-defined]
IDENTITIES: sa.Table = ContactIdentity.__table__  # type: ignore[attr-defined]
PUSH_NAME_MAX = 120


@dataclass
class NewContact:
    identities: list[Identity] = field(default_factory=list)
    push_name: str | None = None

    @property
    def phone(self) -> str | None:
        for ident in self.identities:
            if ident.kind == IdentityKind.PHONE:
                return phones.to_e164(ident.value, None)
        return None


def unowned_groups(
    items: Sequence[tuple[list[Identity], str | None]], owned: Collection[Identity]
) -> list[NewContact]:
    """One new contact per set of unowned ids; sets sharing an id are one person."""
    groups: list[NewContact] = []
    group_of: dict[Identity, int] = {}
    for identities, push_name in items:
        if not identities or any(i in owned for i in identities):
            continue
        indexes = sorted({group_of[i] for i in identities if i in group_of})
        target = indexes[0] if indexes else len(groups)
        if not indexes:
            groups.append(NewContact())
        for other in indexes[1:]:  # this message links two groups: fold them together
            groups[target].identities += groups[other].identities
            groups[other].identities = []
        for ident in dict.fromkeys([*groups[target].identities, *identities]):
            group_of[ident] = target
        groups[target].identities = list(dict.fromkeys([*groups[target].identities, *identities]))
        groups[target].push_name = push_name or groups[target].push_name
    return [g for g in groups if g.identities]


def insert_contacts(scope: TenantScope, *, groups: Sequence[NewContact]) -> list[Contact]:
    """Insert one contact per group; returns them (ORM rows) in the groups' order."""
    now = utcnow()
    rows: list[dict[str, object]] = [
        {
            "tenant_id": scope.tenant_id,
            "name": None,
            "push_name": g.push_name[:PUSH_NAME_MAX] if g.push_name else None,
            "phone": g.phone,
            "tags": [],
            "created_at": now,
            "updated_at": now,
        }
        for g in groups
    ]
    stmt = sa.insert(CONTACTS).returning(CONTACTS.c.id, sort_by_parameter_order=True)
    ids = list(scope.session.execute(stmt, rows).scalars().all())
    loaded = {c.id: c for c in scope.all(Contact, col(Contact.id).in_(ids))}
    return [loaded[i] for i in ids]


def insert_identities(
    scope: TenantScope, *, pairs: Sequence[tuple[Identity, int]]
) -> list[tuple[Identity, int]]:
    """Attach identities to contacts, skipping any already taken; returns those attached."""
    now = utcnow()
    rows = [
        {
            "tenant_id": scope.tenant_id,
            "contact_id": contact_id,
            "kind": ident.kind,
            "value": ident.value,
            "created_at": now,
        }
        for ident, contact_id in pairs
    ]
    inserted = insert_ignore(
        scope.session,
        table=IDENTITIES,
        rows=rows,
        conflict=["tenant_id", "kind", "value"],
        returning=[IDENTITIES.c.kind, IDENTITIES.c.value, IDENTITIES.c.contact_id],
    )
    return [(Identity(row[0], row[1]), row[2]) for row in inserted]


def delete_orphans(scope: TenantScope, *, contact_ids: Collection[int]) -> None:
    """Drop contacts created here that got none of their ids (someone else was faster)."""
    if contact_ids:
        scope.session.execute(
            sa.delete(CONTACTS)
            .where(CONTACTS.c.tenant_id == scope.tenant_id)
            .where(CONTACTS.c.id.in_(list(contact_ids)))
        )
