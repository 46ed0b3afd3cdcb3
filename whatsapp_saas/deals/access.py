"""Who may see and change which deal: the one place deal permissions are decided.

A deal is visible to whoever may see its contact (``inbox.access``: managers see every
contact; agents those whose conversations they may see, or that nobody talks to yet).
Pipelines and stages are the tenant's shared structure: every member reads them, managers
define them. A hidden deal, like another tenant's, is :class:`NotFound`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.deals.models import Deal
from whatsapp_saas.errors import PermissionDenied
from whatsapp_saas.inbox.access import check_viewer, contact_visible_to, visible_to
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def require_manager(scope: TenantScope, *, actor: CurrentUser) -> None:
    check_viewer(scope, actor=actor)
    if not actor.is_manager:
        raise PermissionDenied()


def deal_visible_to(scope: TenantScope, *, actor: CurrentUser) -> sa.ColumnElement[bool]:
    """A WHERE clause over ``deals``: the deals whose contact ``actor`` may see."""
    check_viewer(scope, actor=actor)
    if actor.is_manager:
        return sa.true()
    # The rule of inbox.access.contact_visible_to, correlated on the deal's own contact: two
    # index probes of conversations per deal (an IN over the visible contacts took seconds
    # for an agent's board of 5,000 deals).
    threads = select(Conversation.id).where(
        Conversation.tenant_id == scope.tenant_id, Conversation.contact_id == Deal.contact_id
    )
    return sa.or_(~sa.exists(threads), sa.exists(threads.where(visible_to(scope, actor=actor))))


def get_deal(
    scope: TenantScope, *, actor: CurrentUser, deal_id: int, for_update: bool = False
) -> Deal:
    query = scope.select(Deal).where(col(Deal.id) == deal_id, deal_visible_to(scope, actor=actor))
    if for_update:
        query = query.with_for_update(of=Deal)  # type: ignore[arg-type]
    found = scope.session.exec(query).first()
    if found is None:
        raise NotFound(Deal, deal_id)
    return found


def get_visible_contact(scope: TenantScope, *, actor: CurrentUser, contact_id: int) -> Contact:
    query = scope.select(Contact).where(
        col(Contact.id) == contact_id, contact_visible_to(scope, actor=actor)
    )
    found = scope.session.exec(query).first()
    if found is None:
        raise NotFound(Contact, contact_id)
    return found
