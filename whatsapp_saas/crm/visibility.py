"""Which contacts a viewer may see in the CRM: the tenant chooses for its agents.

Managers see every contact. Agents see all of them (``Visibility.ALL``), or only those they
own or whose conversations they may see (``Visibility.MINE``, the default; the inbox's rule,
:func:`whatsapp_saas.inbox.access.contact_visible_to`). A hidden contact is ``NotFound``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.models import CrmSettings, Visibility
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox.access import check_viewer, contact_visible_to
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def agent_visibility(scope: TenantScope) -> str:
    row = scope.first(CrmSettings)
    return row.agent_visibility if row else Visibility.MINE.value


def set_agent_visibility(scope: TenantScope, *, actor: CurrentUser, value: str) -> None:
    check_viewer(scope, actor=actor)
    if not actor.is_manager:
        raise PermissionDenied()
    if value not in {v.value for v in Visibility}:
        raise UserError("crm.error_visibility")
    row = scope.first(CrmSettings) or CrmSettings(tenant_id=scope.tenant_id)
    row.agent_visibility = value
    scope.add(row)


def contacts_visible_to(scope: TenantScope, *, actor: CurrentUser) -> sa.ColumnElement[bool]:
    """A WHERE clause over ``contacts``: what ``viewer`` may see in the CRM."""
    check_viewer(scope, actor=actor)
    if actor.is_manager or agent_visibility(scope) == Visibility.ALL.value:
        return sa.true()
    return sa.or_(
        col(Contact.owner_user_id) == actor.user_id, contact_visible_to(scope, actor=actor)
    )


def visible_contact(
    scope: TenantScope, *, actor: CurrentUser, contact_id: int, for_update: bool = False
) -> Contact:
    query = (
        scope.select(Contact)
        .where(col(Contact.id) == contact_id)
        .where(contacts_visible_to(scope, actor=actor))
    )
    if for_update:
        query = query.with_for_update(of=Contact)  # type: ignore[arg-type]
    found = scope.session.exec(query).first()
    if found is None:
        raise NotFound(Contact, contact_id)
    return found


def visible_ids(scope: TenantScope, *, actor: CurrentUser, contact_ids: list[int]) -> list[int]:
    """The ids among ``contact_ids`` that ``viewer`` may see (the others are dropped)."""
    if not contact_ids:
        return []
    query = (
        sa.select(col(Contact.id))
        .where(col(Contact.tenant_id) == scope.tenant_id)
        .where(col(Contact.id).in_(contact_ids))
        .where(contacts_visible_to(scope, actor=actor))
    )
    return [int(r[0]) for r in scope.session.execute(query)]
