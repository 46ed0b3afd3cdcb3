"""One page of the contact list: filtered, searched and sorted on the server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.models import Tag
from whatsapp_saas.crm.query import count_matching, where_clauses
from whatsapp_saas.crm.tags import tags_of_contacts
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.scheduling.optout import opted_out_among
from whatsapp_saas.tenancy.scope import TenantScope

PER_PAGE_MAX = 100
COUNT_CAP = 10_000  # beyond this the page says "10,000+": counting a million rows is not free
SORTS = ("name", "created", "updated")
# The name a person sees, lower-cased: keep identical to the index ix_contacts_crm_name
# (migration 0011), so a page sorted by name is read in index order; the '' is a literal,
# as a bound parameter would not match the index expression.
NAME_SORT = sa.func.lower(
    sa.func.coalesce(
        Contact.__table__.c.name,  # type: ignore[attr-defined]
        Contact.__table__.c.push_name,  # type: ignore[attr-defined]
        Contact.__table__.c.phone,  # type: ignore[attr-defined]
        sa.literal_column("''"),
    )
)


@dataclass
class ContactRow:
    contact: Contact
    tags: list[Tag] = field(default_factory=list)
    owner_name: str = ""
    last_contact_at: datetime | None = None
    opted_out: bool = False


@dataclass
class ContactPage:
    rows: list[ContactRow]
    total: int  # capped at COUNT_CAP + 1 ("more than")
    page: int
    per_page: int

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def sort_key(sort: str) -> Any:
    if sort == "created":
        return col(Contact.created_at)
    if sort == "updated":
        return col(Contact.updated_at)
    return NAME_SORT


def contact_page(
    scope: TenantScope,
    *,
    viewer: CurrentUser,
    flt: ContactFilter,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
    with_total: bool = True,
) -> ContactPage:
    per_page = min(max(per_page, 1), PER_PAGE_MAX)
    page = max(page, 1)
    key = sort_key(sort if sort in SORTS else "name")
    order = [key.desc(), col(Contact.id).desc()] if descending else [key, col(Contact.id)]
    query: Any = (
        select(Contact)
        .where(*where_clauses(scope, viewer, flt))
        .order_by(*order)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    contacts = list(scope.session.exec(query).all())
    total = count_matching(scope, viewer, flt, cap=COUNT_CAP + 1) if with_total else 0
    return ContactPage(decorate(scope, contacts), total, page, per_page)


def decorate(scope: TenantScope, contacts: list[Contact]) -> list[ContactRow]:
    """Tags, owner, last contact and opt-out of a page of contacts: four queries in all."""
    ids = [c.id for c in contacts if c.id is not None]
    tags = tags_of_contacts(scope, ids)
    owners = {c.owner_user_id for c in contacts if c.owner_user_id is not None}
    names = {u.id: u.name for u in scope.all(User, col(User.id).in_(owners))} if owners else {}
    last = _last_contact(scope, ids)
    opted = opted_out_among(scope, ids)
    return [
        ContactRow(
            c,
            tags.get(c.id or 0, []),
            names.get(c.owner_user_id, "") if c.owner_user_id else "",
            last.get(c.id or 0),
            (c.id or 0) in opted,
        )
        for c in contacts
    ]


def _last_contact(scope: TenantScope, ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    query = (
        sa.select(col(Conversation.contact_id), sa.func.max(col(Conversation.last_message_at)))
        .where(col(Conversation.tenant_id) == scope.tenant_id)
        .where(col(Conversation.contact_id).in_(ids))
        .group_by(col(Conversation.contact_id))
    )
    return {int(c): as_utc(at) for c, at in scope.session.execute(query) if at is not None}
