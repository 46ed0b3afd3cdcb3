"""Delivery services for the rest of the app: the governor settings.

Plain functions over a :class:`TenantScope`; they write in the caller's transaction. The
attendant's Retry is :func:`whatsapp_saas.inbox.status.retry_failed` (the one owner of an
outbound message's status).
"""

from __future__ import annotations

from typing import Any

from whatsapp_saas.delivery.common.settings import delivery_settings
from whatsapp_saas.delivery.govern.policy import Limits, check_number_limits, parse_hhmm, resolve
from whatsapp_saas.delivery.models import NumberSendPolicy, TenantSendPolicy
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

NUMBER_FIELDS = (
    "rate_count",
    "rate_window",
    "bulk_gap",
    "bulk_jitter",
    "daily_cap",
    "warmup_days",
    "warmup_start_cap",
)


def set_number_limits(scope: TenantScope, *, number_id: int, **values: Any) -> NumberSendPolicy:
    """Override the governor for one number; ``None`` for a field means "the default"."""
    unknown = set(values) - set(NUMBER_FIELDS)
    if unknown:
        raise ValueError(f"unknown number limits: {sorted(unknown)}")
    check_number_limits(values)
    scope.get(WhatsAppNumber, number_id)  # the number must be this tenant's
    policy = scope.first(NumberSendPolicy, NumberSendPolicy.number_id == number_id)
    if policy is None:
        policy = scope.add(NumberSendPolicy(tenant_id=scope.tenant_id, number_id=number_id))
    for name, value in values.items():
        setattr(policy, name, value)
    policy.updated_at = utcnow()
    scope.session.add(policy)
    scope.session.flush()
    return policy


def set_tenant_limits(
    scope: TenantScope,
    *,
    per_minute: int | None = None,
    per_day: int | None = None,
    quiet_start: str | None = None,
    quiet_end: str | None = None,
) -> TenantSendPolicy:
    """Quotas and quiet hours ("HH:MM" local; both empty switches quiet hours off)."""
    for value in (quiet_start, quiet_end):
        if value and parse_hhmm(value) is None:
            raise UserError("delivery.error_time_invalid", value=value)
    policy = scope.first(TenantSendPolicy) or scope.add(TenantSendPolicy(tenant_id=scope.tenant_id))
    policy.per_minute, policy.per_day = per_minute, per_day
    policy.quiet_start, policy.quiet_end = quiet_start or None, quiet_end or None
    policy.updated_at = utcnow()
    scope.session.add(policy)
    scope.session.flush()
    return policy


def effective_limits(scope: TenantScope, *, number_id: int) -> Limits:
    """What the governor applies to this number today (defaults, overrides, warm-up)."""
    number = scope.get(WhatsAppNumber, number_id)
    tenant = scope.session.get(Tenant, scope.tenant_id)
    return resolve(
        delivery_settings(),
        tenant.timezone if tenant is not None else "UTC",
        scope.first(NumberSendPolicy, NumberSendPolicy.number_id == number_id),
        scope.first(TenantSendPolicy),
        utcnow(),
        linked_at=number.last_connected_at,
    )
