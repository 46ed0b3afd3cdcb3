"""Per-tenant scheduling preferences: stop keywords, business hours, quiet hours.

The company's own preferences (time zone, language, read receipts) are
:mod:`whatsapp_saas.accounts.preferences`'s.

A tenant that never saved any gets the defaults below, in its own timezone. Quiet hours are
read from the delivery governor's tenant policy (one setting, two users: the governor holds
campaign sends inside the window, and the campaign runner does not enqueue during it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from whatsapp_saas.accounts.preferences import tenant_timezone
from whatsapp_saas.delivery.models import TenantSendPolicy
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.hours import BusinessHours, QuietHours, parse_hhmm
from whatsapp_saas.scheduling.models import SchedulingSettings
from whatsapp_saas.tenancy.scope import TenantScope

# pt-BR and English defaults; matching ignores case, accents and punctuation.
DEFAULT_STOP_KEYWORDS = ("PARAR", "SAIR", "STOP", "CANCELAR", "UNSUBSCRIBE")
DEFAULT_BUSINESS_HOURS = {str(day): ["09:00", "18:00"] for day in range(5)}  # Mon-Fri
KEYWORD_MAX = 40


@dataclass(frozen=True)
class TenantPreferences:
    timezone: str
    stop_keywords: tuple[str, ...]
    business_hours: BusinessHours
    quiet_hours: QuietHours


def stop_keywords(scope: TenantScope) -> tuple[str, ...]:
    row = scope.first(SchedulingSettings)
    return tuple(row.stop_keywords) if row and row.stop_keywords else DEFAULT_STOP_KEYWORDS


def load_preferences(scope: TenantScope) -> TenantPreferences:
    tz = tenant_timezone(scope)
    row = scope.first(SchedulingSettings)
    keywords = tuple(row.stop_keywords) if row and row.stop_keywords else DEFAULT_STOP_KEYWORDS
    hours = row.business_hours if row and row.business_hours else DEFAULT_BUSINESS_HOURS
    return TenantPreferences(
        timezone=tz,
        stop_keywords=keywords,
        business_hours=BusinessHours.from_json(tz, hours),
        quiet_hours=_quiet_hours(scope, tz),
    )


def _quiet_hours(scope: TenantScope, tz: str) -> QuietHours:
    policy = scope.first(TenantSendPolicy)
    if policy is None or not policy.quiet_start or not policy.quiet_end:
        return QuietHours(tz, time(0), time(0))  # an empty window: never quiet
    return QuietHours(tz, parse_hhmm(policy.quiet_start), parse_hhmm(policy.quiet_end))


def save_preferences(
    scope: TenantScope,
    *,
    stop_keywords: list[str] | None = None,
    business_hours: dict[str, list[str]] | None = None,
) -> SchedulingSettings:
    """Change the tenant's preferences; values are validated before anything is written."""
    row = scope.first(SchedulingSettings) or SchedulingSettings(tenant_id=scope.tenant_id)
    if stop_keywords is not None:
        row.stop_keywords = _clean_keywords(stop_keywords)
    if business_hours is not None:
        BusinessHours.from_json("UTC", business_hours)  # raises on a malformed time
        row.business_hours = business_hours
    row.updated_at = utcnow()
    return scope.add(row)


def _clean_keywords(keywords: list[str]) -> list[str]:
    cleaned = [" ".join(k.split()).upper() for k in keywords if k.strip()]
    if any(len(k) > KEYWORD_MAX for k in cleaned):
        raise UserError("error.too_long", limit=KEYWORD_MAX)
    return list(dict.fromkeys(cleaned))
