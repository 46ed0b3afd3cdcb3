"""A company's preferences: its time zone, language and read receipts, changed by owners and
admins. They live on the tenant row; this module is the one place that reads and writes them.

Preferences of one feature that only that feature reads (the scheduler's stop keywords and
business hours) stay with it, in :mod:`whatsapp_saas.scheduling.preferences`.
"""

from __future__ import annotations

from sqlmodel import Session

from whatsapp_saas.accounts.service import CurrentUser, require_manager
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope

DEFAULT_TIMEZONE = "UTC"


def get_tenant(session: Session, *, tenant_id: int) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:  # a signed-in user's tenant always exists; guard against races
        raise LookupError(f"tenant {tenant_id} not found")
    return tenant


def tenant_timezone(scope: TenantScope) -> str:
    """The company's time zone (what schedules and business hours are read in)."""
    tenant = scope.session.get(Tenant, scope.tenant_id)
    return tenant.timezone if tenant is not None else DEFAULT_TIMEZONE


def set_read_receipts(session: Session, *, actor: CurrentUser, enabled: bool) -> Tenant:
    """Whether opening a conversation sends read receipts (blue ticks) to the customer."""
    require_manager(actor)
    tenant = get_tenant(session, tenant_id=actor.tenant_id)
    tenant.send_read_receipts = enabled
    return tenant
