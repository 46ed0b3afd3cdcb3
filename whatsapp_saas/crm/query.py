"""The one query behind the contact list, bulk actions, exports and segments."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.filters import ContactFilter, conditions
from whatsapp_saas.crm.models import Segment
from whatsapp_saas.crm.visibility import contacts_visible_to
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def segment_for(scope: TenantScope, viewer: CurrentUser, segment_id: int) -> Segment:
    """A segment the viewer may use: shared ones, and their own personal ones."""
    segment = scope.get(Segment, segment_id)
    if not segment.shared and segment.owner_user_id != viewer.user_id:
        raise NotFound(Segment, segment_id)
    return segment


def where_clauses(
    scope: TenantScope, viewer: CurrentUser, flt: ContactFilter
) -> list[sa.ColumnElement[bool]]:
    """Tenant, visibility, the filter, and the segment's own filters (all ANDed)."""
    where = [
        col(Contact.tenant_id) == scope.tenant_id,
        col(Contact.merged_into_id).is_(None),  # a merged contact lives on in its survivor
        contacts_visible_to(scope, viewer),
        *conditions(scope.session, scope.tenant_id, viewer, flt),
    ]
    if flt.segment_id is not None:
        stored = ContactFilter.from_dict(segment_for(scope, viewer, flt.segment_id).filters)
        stored.segment_id = None  # a segment never nests another
        where += conditions(scope.session, scope.tenant_id, viewer, stored)
    return where


def matching_ids(
    scope: TenantScope,
    viewer: CurrentUser,
    flt: ContactFilter,
    *,
    after_id: int = 0,
    limit: int | None = None,
) -> list[int]:
    """Ids of the matching contacts in id order (keyset over ``after_id``)."""
    query: Any = (
        select(Contact.id)
        .where(*where_clauses(scope, viewer, flt))
        .where(col(Contact.id) > after_id)
        .order_by(col(Contact.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return [int(r) for r in scope.session.exec(query).all()]


def count_matching(
    scope: TenantScope, viewer: CurrentUser, flt: ContactFilter, *, cap: int | None = None
) -> int:
    inner: Any = select(Contact.id).where(*where_clauses(scope, viewer, flt))
    if cap is not None:
        inner = inner.limit(cap)
    query = sa.select(sa.func.count()).select_from(inner.subquery())
    return int(scope.session.execute(query).scalar_one())
