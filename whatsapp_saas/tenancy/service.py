"""Company-wide preferences, changed by owners and admins."""

from __future__ import annotations

from sqlmodel import Session

from whatsapp_saas.accounts.service import CurrentUser, require_manager
from whatsapp_saas.tenancy.models import Tenant


def get_tenant(session: Session, tenant_id: int) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:  # a signed-in user's tenant always exists; guard against races
        raise LookupError(f"tenant {tenant_id} not found")
    return tenant


def set_read_receipts(session: Session, actor: CurrentUser, enabled: bool) -> Tenant:
    """Whether opening a conversation sends read receipts (blue ticks) to the customer."""
    require_manager(actor)
    tenant = get_tenant(session, actor.tenant_id)
    tenant.send_read_receipts = enabled
    return tenant
