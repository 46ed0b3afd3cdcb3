"""Per-tenant automation settings: read with defaults, saved by managers."""

from __future__ import annotations

from typing import Any

from whatsapp_saas.automations.models import AutomationSettings
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.hours import parse_hhmm
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope


def settings_for(scope: TenantScope) -> AutomationSettings:
    """The tenant's settings; unsaved ones are the defaults (in the tenant's time zone)."""
    row = scope.first(AutomationSettings)
    if row is not None:
        return row
    tenant = scope.session.get(Tenant, scope.tenant_id)
    timezone = tenant.timezone if tenant is not None else "America/Sao_Paulo"
    return AutomationSettings(tenant_id=scope.tenant_id, timezone=timezone)


def save_settings(scope: TenantScope, **values: Any) -> AutomationSettings:
    """Validate and store; unknown keys are refused so a typo cannot pass silently."""
    row = scope.first(AutomationSettings) or AutomationSettings(tenant_id=scope.tenant_id)
    for key, value in _cleaned(values).items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    scope.session.add(row)
    scope.session.flush()
    return row


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    allowed = set(AutomationSettings.model_fields) - {"id", "tenant_id", "updated_at"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    for key in ("hourly_cap", "pause_minutes", "agent_grace_minutes"):
        if key in values:
            values[key] = _minutes(values[key], key)
    if "timezone" in values:
        values["timezone"] = _timezone(str(values["timezone"]))
    if "weekly_hours" in values:
        for pair in values["weekly_hours"].values():
            if parse_hhmm(pair[0]) >= parse_hhmm(pair[1]):
                raise UserError("error.auto_hours_invalid", field="hours")
    if "holidays" in values:
        values["holidays"] = sorted({_iso_date(d) for d in values["holidays"]})
    return values


def _minutes(value: object, field: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) > 100_000:
        raise UserError("error.auto_number_invalid", field=field)
    return int(text)


def _timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError("error.auto_timezone_invalid", field="timezone") from exc
    return name


def _iso_date(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise UserError("error.auto_holiday_invalid", field="holidays") from exc
