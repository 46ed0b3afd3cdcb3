"""Saved segments: named filters, personal or shared, that campaigns and automations reuse."""

from __future__ import annotations

from sqlmodel import col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.models import Segment
from whatsapp_saas.crm.query import matching_ids, segment_for, where_clauses
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox.access import check_viewer
from whatsapp_saas.tenancy.scope import TenantScope

NAME_MAX = 80


def create_segment(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    name: str,
    filters: ContactFilter,
    shared: bool = False,
) -> Segment:
    check_viewer(scope, actor=actor)
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("error.name_required")
    if len(cleaned) > NAME_MAX:
        raise UserError("error.too_long", limit=NAME_MAX)
    stored = ContactFilter.from_dict(filters.as_dict())
    stored.segment_id = None
    if stored.is_empty:
        raise UserError("crm.error_segment_empty")
    segment = Segment(
        tenant_id=scope.tenant_id,
        name=cleaned,
        owner_user_id=actor.user_id,
        shared=shared,
        filters=stored.as_dict(),
    )
    scope.add(segment)
    scope.session.flush()
    return segment


def list_segments(scope: TenantScope, *, actor: CurrentUser) -> list[Segment]:
    """The viewer's own segments and the shared ones, by name."""
    check_viewer(scope, actor=actor)
    rows = scope.all(Segment, (col(Segment.owner_user_id) == actor.user_id) | col(Segment.shared))
    return sorted(rows, key=lambda s: s.name.casefold())


def delete_segment(scope: TenantScope, *, actor: CurrentUser, segment_id: int) -> None:
    segment = segment_for(scope, actor=actor, segment_id=segment_id)
    if segment.owner_user_id != actor.user_id and not actor.is_manager:
        raise PermissionDenied()
    scope.session.delete(segment)


def contact_ids(scope: TenantScope, *, actor: CurrentUser, segment_id: int) -> list[int]:
    """Every contact in the segment that ``viewer`` may see, by id (for campaigns)."""
    return matching_ids(scope, actor=actor, flt=ContactFilter(segment_id=segment_id))


def is_member(scope: TenantScope, *, actor: CurrentUser, segment_id: int, contact_id: int) -> bool:
    """Whether one contact is in the segment (for automations' conditions)."""
    flt = ContactFilter(segment_id=segment_id)
    query = scope.select(Contact).where(*where_clauses(scope, actor=actor, flt=flt))
    return scope.session.exec(query.where(col(Contact.id) == contact_id)).first() is not None
