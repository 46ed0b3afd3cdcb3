"""Who an automation acts as where a service needs a person (deals, contact profile).

Rules run for the whole tenant, so they act as the tenant's first active owner (or admin):
that user sees every contact and pipeline, and the change logs name a real user row.
"""

from __future__ import annotations

from sqlmodel import col

from whatsapp_saas.accounts.models import MANAGER_ROLES, User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope


def system_actor(scope: TenantScope) -> CurrentUser:
    roles = [r.value for r in MANAGER_ROLES]
    user = scope.session.exec(
        scope.select(User)
        .where(col(User.is_active).is_(True), col(User.role).in_(roles))
        .order_by(col(User.id))
        .limit(1)
    ).first()
    if user is None or user.id is None:
        raise UserError("error.auto_no_manager")
    return CurrentUser(
        user.id, scope.tenant_id, "", user.name, user.email, user.role, user.language, user.timezone
    )
