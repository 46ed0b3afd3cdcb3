"""One page of the contact list: filtered, searched and sorted on the server.

Pages are read by keyset, not OFFSET: a page after the first starts after the last row of
the one before it, ``(sort key, id) > cursor``, which PostgreSQL answers from the sort index
(``ix_contacts_crm_name``, ``ix_contacts_tenant_created``, ``ix_contacts_tenant_updated``,
``ix_contacts_tenant_last_contact``)
however deep the page is. One extra row is read to know whether there is a next page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.filters import CONTACT_ID, ContactFilter
from whatsapp_saas.crm.models import LAST_CONTACT_COLUMN, Tag
from whatsapp_saas.crm.query import (
    ESTIMATE_ABOVE,
    count_or_estimate,
    estimate_matching,
    rounded_estimate,
    where_clauses,
    within_budget,
)
from whatsapp_saas.crm.tags import tags_of_contacts
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.scheduling.models import ContactOptOut
from whatsapp_saas.scheduling.optout import opted_out_among
from whatsapp_saas.tenancy.scope import TenantScope

PER_PAGE_MAX = 100
# A first page read with its count whose estimate was far too low stops here (then the page
# is read again, plainly, with the estimate): a busy server's real small page stays inside.
WINDOW_BUDGET_MS = 100
COUNT_CAP = 10_000  # beyond this the page says "10,000+": counting a million rows is not free
SORTS = ("name", "created", "updated", "last")  # "last": the last message, either way
# The name a person sees, lower-cased. SQLite sorts by this expression (index
# ix_contacts_crm_name of migration 0011: keep identical; the '' is a literal, as a bound
# parameter would not match the index expression); PostgreSQL reads the same value from the
# stored column crm_sort_name (migration 0018), which its covering index can return.
NAME_SORT_COLUMN = sa.literal_column("contacts.crm_sort_name", sa.Text)
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
    next_cursor: str = ""  # where the next page starts; "" on the last page
    estimated: bool = False  # ``total`` is the planner's estimate (a large PostgreSQL result)

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def has_next(self) -> bool:
        return self.next_cursor != ""


def sort_key(sort: str, dialect: str = "sqlite") -> Any:
    if sort == "created":
        return col(Contact.created_at)
    if sort == "updated":
        return col(Contact.updated_at)
    if sort == "last":
        return LAST_CONTACT_COLUMN
    return NAME_SORT_COLUMN if dialect == "postgresql" else NAME_SORT


def contact_page(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    flt: ContactFilter,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 25,
    after: str = "",
    with_total: bool = True,
) -> ContactPage:
    """The page that starts after ``after`` (a previous page's ``next_cursor``; "" is the
    first page). ``page`` is only its number, for the label."""
    per_page = min(max(per_page, 1), PER_PAGE_MAX)
    sort = sort if sort in SORTS else "name"
    rows_and_total: tuple[list[Any], tuple[int, bool] | None] | None = None
    if with_total and not after and scope.session.get_bind().dialect.name == "postgresql":
        rows_and_total = _small_first_page(scope, actor, flt, sort, descending, per_page + 1)
    if rows_and_total is None:
        page_query = _page_query(scope, actor, flt, sort, descending, after, per_page + 1)
        rows_and_total = list(scope.session.execute(page_query).all()), None
    found, counted = rows_and_total
    more = len(found) > per_page
    found = found[:per_page]
    cursor = encode_cursor(found[-1].sort_value, found[-1][0].id) if more else ""
    total, estimated = len(found), False  # a first page without a next one is the count
    if counted is not None:
        total, estimated = counted
    elif with_total and (more or after):
        total, estimated = count_or_estimate(scope, actor=actor, flt=flt, cap=COUNT_CAP + 1)
    tags = tags_of_contacts(scope, contact_ids=[r[0].id for r in found])
    rows = [
        ContactRow(
            r[0],
            tags.get(r[0].id or 0, []),
            r.owner_name or "",
            as_utc(r.last_contact_at) if r.last_contact_at is not None else None,
            bool(r.opted_out),
        )
        for r in found
    ]
    return ContactPage(rows, total, max(page, 1), per_page, cursor, estimated)


def _small_first_page(
    scope: TenantScope,
    actor: CurrentUser,
    flt: ContactFilter,
    sort: str,
    descending: bool,
    limit: int,
) -> tuple[list[Any], tuple[int, bool]] | None:
    """PostgreSQL, first page: when the planner expects few matches (a rare word, a rare
    field value), the page and its exact count in one statement, ``count(*) OVER ()``: the
    matches are all read for the sort anyway, and a separate count would read them again.
    Many expected matches: None (the caller walks the sort index and shows the estimate).
    An estimate far too low runs out of budget: the estimate then, and the plain page."""
    guess = estimate_matching(scope, actor=actor, flt=flt)
    if guess > ESTIMATE_ABOVE:
        return None
    query = _page_query(scope, actor, flt, sort, descending, "", limit, counted=True)
    found = within_budget(
        scope, work=lambda: list(scope.session.execute(query).all()), ms=WINDOW_BUDGET_MS
    )
    if found is None:
        plain = _page_query(scope, actor, flt, sort, descending, "", limit)
        return list(scope.session.execute(plain).all()), (rounded_estimate(guess), True)
    matches = int(found[0].matches) if found else 0
    return found, (min(matches, COUNT_CAP + 1), False)


def _page_query(
    scope: TenantScope,
    actor: CurrentUser,
    flt: ContactFilter,
    sort: str,
    descending: bool,
    after: str,
    limit: int,
    *,
    counted: bool = False,
) -> Any:
    """One statement: the page's (sort value, id) in an inner query, which reads only these
    two so PostgreSQL answers it from the covering sort index alone (an index-only scan),
    then those rows with their owner's name, last contact and opt-out. Each round trip costs
    more than these joins on a busy server."""
    key = sort_key(sort, scope.session.get_bind().dialect.name)
    order = [key.desc(), col(Contact.id).desc()] if descending else [key, col(Contact.id)]
    columns = [key.label("sort_value"), col(Contact.id).label("contact_id")]
    inner: Any = sa.select(*columns).where(*where_clauses(scope, actor=actor, flt=flt))
    inner = _counted(inner, descending) if counted else inner.order_by(*order)
    start = decode_cursor(after, sort)
    if start is not None:
        pair, edge = sa.tuple_(key, col(Contact.id)), sa.tuple_(*start)
        inner = inner.where(pair < edge if descending else pair > edge)
    keys = inner.limit(limit).subquery("page")
    outer = (
        [keys.c.sort_value.desc(), keys.c.contact_id.desc()]
        if descending
        else [
            keys.c.sort_value,
            keys.c.contact_id,
        ]
    )
    extra = [keys.c.matches] if counted else []
    return (
        sa.select(Contact, keys.c.sort_value, *extra, *_decorations(scope))
        .join(keys, keys.c.contact_id == col(Contact.id))
        .order_by(*outer)
    )


def _counted(matching: Any, descending: bool) -> Any:
    """Every match in a MATERIALIZED CTE, then the page of them with ``count(*) OVER ()``.
    Asked for the ordered page directly, the planner may walk the whole sort index to avoid
    a sort (a full walk when matches are few); asked for the matches alone, it starts from
    the trigram or field index, and sorting a few hundred rows is nothing."""
    found = matching.cte("matches").prefix_with("MATERIALIZED")
    order = (
        [found.c.sort_value.desc(), found.c.contact_id.desc()]
        if descending
        else [found.c.sort_value, found.c.contact_id]
    )
    return sa.select(
        found.c.sort_value, found.c.contact_id, sa.func.count().over().label("matches")
    ).order_by(*order)


def _decorations(scope: TenantScope) -> list[Any]:
    last = (
        sa.select(sa.func.max(col(Conversation.last_message_at)))
        .where(col(Conversation.tenant_id) == scope.tenant_id)
        .where(col(Conversation.contact_id) == CONTACT_ID)
        .scalar_subquery()
        .label("last_contact_at")
    )
    opted = sa.exists(
        sa.select(col(ContactOptOut.id)).where(
            col(ContactOptOut.contact_id) == CONTACT_ID, col(ContactOptOut.revoked_at).is_(None)
        )
    ).label("opted_out")
    owner = (
        sa.select(col(User.name))
        .where(col(User.id) == Contact.__table__.c.owner_user_id)  # type: ignore[attr-defined]
        .scalar_subquery()
        .label("owner_name")
    )
    return [last, opted, owner]


def encode_cursor(value: Any, contact_id: int | None) -> str:
    """A page boundary as text (it travels through the browser's state)."""
    shown = as_utc(value).isoformat() if isinstance(value, datetime) else str(value)
    return json.dumps([shown, int(contact_id or 0)])


def decode_cursor(text: str, sort: str) -> tuple[Any, int] | None:
    """The (sort key, id) of a cursor; None for the first page or a cursor that does not
    parse (a tampered one then reads the first page rather than failing)."""
    if not text:
        return None
    try:
        value, contact_id = json.loads(text)
        dated = sort in ("created", "updated", "last")
        key: Any = datetime.fromisoformat(value) if dated else str(value)
        return key, int(contact_id)
    except (ValueError, TypeError):
        return None


def decorate(scope: TenantScope, *, contacts: list[Contact]) -> list[ContactRow]:
    """Tags, owner, last contact and opt-out of a batch of contacts (the export's chunks):
    four queries in all."""
    ids = [c.id for c in contacts if c.id is not None]
    tags = tags_of_contacts(scope, contact_ids=ids)
    owners = {c.owner_user_id for c in contacts if c.owner_user_id is not None}
    names = {u.id: u.name for u in scope.all(User, col(User.id).in_(owners))} if owners else {}
    last = _last_contact(scope, ids)
    opted = opted_out_among(scope, contact_ids=ids)
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
