"""Per-tenant automation settings: read with defaults, saved by managers; and a number's or
a department's own business hours (``HoursOverride``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whatsapp_saas.automations.hours import COMPANY, DEPARTMENT, NUMBER
from whatsapp_saas.automations.models import AutomationSettings, HoursOverride
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Department
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.phones import to_e164
from whatsapp_saas.scheduling.hours import parse_hhmm
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber


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
    if "bot_max_per_minute" in values:  # 0: no limit (botguard.too_fast)
        values["bot_max_per_minute"] = _whole(
            values["bot_max_per_minute"], "error.auto_bot_limit_invalid", "bot_max_per_minute"
        )
    if "timezone" in values:
        values["timezone"] = _timezone(str(values["timezone"]))
    if "weekly_hours" in values:
        for pair in values["weekly_hours"].values():
            if parse_hhmm(pair[0]) >= parse_hhmm(pair[1]):
                raise UserError("error.auto_hours_invalid", field="hours")
    if "bot_ignore_phones" in values:
        values["bot_ignore_phones"] = _phones(values["bot_ignore_phones"])
    if "holidays" in values:
        values["holidays"] = sorted({_iso_date(d) for d in values["holidays"]})
    return values


def _phones(raw: object) -> list[str]:
    """The bot ignore list: one phone per line or comma, in any formatting people type
    ("(11) 98765-4321" is read as a Brazilian number), stored as E.164 like contacts' phones."""
    items = raw if isinstance(raw, list) else str(raw or "").replace(",", "\n").splitlines()
    found = []
    for item in items:
        if not str(item).strip():
            continue
        e164 = to_e164(str(item), valid=False)  # any possible number: bots use odd ones
        if e164 is None:
            raise UserError("error.auto_phone_invalid", field="bot_ignore_phones")
        found.append(e164)
    return sorted(set(found))


def _minutes(value: object, field: str) -> int:
    return _whole(value, "error.auto_number_invalid", field)


def _whole(value: object, code: str, field: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) > 100_000:
        raise UserError(code, field=field)
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


# --- a number's or a department's own hours ------------------------------------------------

HOURS_KEYS = ("timezone", "weekly_hours", "holidays")


@dataclass(frozen=True)
class HoursFor:
    """Whose hours a form edits: the company's, or one number's or department's."""

    kind: str = COMPANY
    owner_id: int | None = None

    @classmethod
    def parse(cls, raw: str) -> HoursFor:
        """``company``, ``number:<id>`` or ``department:<id>``; anything else is refused."""
        kind, _, ident = str(raw or COMPANY).partition(":")
        if kind == COMPANY and not ident:
            return cls()
        if kind in (NUMBER, DEPARTMENT) and ident.isdigit():
            return cls(kind, int(ident))
        raise UserError("error.auto_hours_for_invalid", field="hours_for")

    @property
    def key(self) -> str:
        return COMPANY if self.owner_id is None else f"{self.kind}:{self.owner_id}"


def _owner_filter(scope: TenantScope, target: HoursFor) -> Any:
    """The override's criterion; the number or department must be the tenant's (NotFound)."""
    model = WhatsAppNumber if target.kind == NUMBER else Department
    scope.get(model, target.owner_id or 0)  # another tenant's id: NotFound, nothing changes
    if target.kind == NUMBER:
        return HoursOverride.number_id == target.owner_id
    return HoursOverride.department_id == target.owner_id


def override_for(scope: TenantScope, *, target: HoursFor) -> HoursOverride | None:
    """The number's or department's own hours; None: it uses the company's."""
    if target.owner_id is None:
        return None
    return scope.first(HoursOverride, _owner_filter(scope, target))


def save_override(scope: TenantScope, *, target: HoursFor, **values: Any) -> HoursOverride:
    """Give the number or department its own hours (validated as the company's are)."""
    if target.owner_id is None:
        raise UserError("error.auto_hours_for_invalid", field="hours_for")
    unknown = set(values) - set(HOURS_KEYS)
    if unknown:
        raise ValueError(f"unknown hours settings: {sorted(unknown)}")
    clean = _cleaned(dict(values))
    row = override_for(scope, target=target) or HoursOverride(
        tenant_id=scope.tenant_id,
        number_id=target.owner_id if target.kind == NUMBER else None,
        department_id=target.owner_id if target.kind == DEPARTMENT else None,
        timezone=settings_for(scope).timezone,
    )
    for key, value in clean.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    scope.session.add(row)
    scope.session.flush()
    return row


def clear_override(scope: TenantScope, *, target: HoursFor) -> bool:
    """Back to the company's hours; False when it already used them."""
    row = override_for(scope, target=target)
    if row is None:
        return False
    scope.session.delete(row)
    scope.session.flush()
    return True
