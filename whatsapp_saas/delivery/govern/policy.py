"""The governor's limits for one send: defaults, overrides from the database, warm-up, quiet
hours, and the tenant's local day. Pure functions plus a small cached loader.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from whatsapp_saas.delivery.common.settings import DeliverySettings
from whatsapp_saas.delivery.models import NumberSendPolicy, TenantSendPolicy
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.whatsapp.models import WhatsAppNumber

Window = tuple[time, time]
# A number that may send nothing, or everything at once, is a typo, not a setting: refused.
NONZERO_LIMITS = ("rate_count", "rate_window")


@dataclass(frozen=True, slots=True)
class Limits:
    rate_count: int
    rate_window: float
    bulk_share: float
    bulk_gap: float
    bulk_jitter: float
    daily_cap: int  # today's bulk cap for this number, warm-up applied (0 = none)
    tenant_per_minute: int  # 0 = none
    tenant_per_day: int  # 0 = none
    quiet: Window | None
    timezone: str
    warmup_day: int = 0  # 1..warmup_days while the number warms up, else 0
    warmup_days: int = 0
    warmup_pending: bool = False  # warm-up configured, but no phone linked yet


def check_number_limits(values: dict[str, float | int | None]) -> None:
    """Refuse what a person could type but the governor cannot apply (``None``: default)."""
    for name, value in values.items():
        if value is None:
            continue
        if value < 0:
            raise UserError("delivery.error_limit_negative", field=name)
        if value == 0 and name in NONZERO_LIMITS:
            raise UserError("sending.error_rate_zero")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the tenant's local day containing ``now``."""
    tz = zone(timezone)
    local = now.astimezone(tz)
    start = datetime.combine(local.date(), time(0), tz)
    end = datetime.combine(local.date() + timedelta(days=1), time(0), tz)
    return start.astimezone(now.tzinfo), end.astimezone(now.tzinfo)


def quiet_until(now: datetime, timezone: str, window: Window | None) -> datetime | None:
    """When the quiet window containing ``now`` ends (UTC), or None if ``now`` is not quiet.

    The window is local wall-clock time and may wrap midnight (21:00-08:00)."""
    if window is None or window[0] == window[1]:
        return None
    start, end = window
    tz = zone(timezone)
    local = now.astimezone(tz)
    here = local.time()
    wraps = start > end
    quiet = (here >= start or here < end) if wraps else start <= here < end
    if not quiet:
        return None
    day = local.date() + timedelta(days=1) if wraps and here >= start else local.date()
    return datetime.combine(day, end, tz).astimezone(now.tzinfo)


def warmup_cap(
    full: int, start: int, days: int, first_linked: datetime | None, now: datetime
) -> int:
    """A newly linked number's bulk daily cap ramps linearly from ``start`` to ``full``."""
    if full <= 0 or days <= 0 or first_linked is None:
        return full
    age_days = (now - as_utc(first_linked)).total_seconds() / 86400
    if age_days >= days:
        return full
    ramp = start + (full - start) * max(age_days, 0.0) / days
    return max(1, min(full, int(ramp)))


def warmup_day(days: int, first_linked: datetime | None, now: datetime) -> int:
    """Which day of its warm-up a number is on (1 = the day it was linked); 0 when done."""
    if days <= 0 or first_linked is None:
        return 0
    day = int((now - as_utc(first_linked)).total_seconds() // 86400) + 1
    return day if 1 <= day <= days else 0


def parse_hhmm(value: str | None) -> time | None:
    if not value:
        return None
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def _pick(value: float | int | None, default: float | int) -> float:
    return default if value is None else value


def resolve(
    settings: DeliverySettings,
    timezone: str,
    number: NumberSendPolicy | None,
    tenant: TenantSendPolicy | None,
    now: datetime,
    linked_at: datetime | None = None,
) -> Limits:
    """Defaults, overridden by the number's and tenant's rows where they say something.

    ``linked_at`` stands in for the warm-up start of a number linked before its clock was
    recorded (the governor records it at the first send)."""
    n = number or NumberSendPolicy(tenant_id=0, number_id=0)
    first_linked = n.first_linked_at or linked_at
    t = tenant or TenantSendPolicy(tenant_id=0)
    full = int(_pick(n.daily_cap, settings.daily_cap))
    start_cap = int(_pick(n.warmup_start_cap, settings.warmup_start_cap))
    days = int(_pick(n.warmup_days, settings.warmup_days))
    start, end = parse_hhmm(t.quiet_start), parse_hhmm(t.quiet_end)
    warming = warmup_day(days, first_linked, now) if full > 0 else 0
    return Limits(
        rate_count=max(1, int(_pick(n.rate_count, settings.rate_count))),
        rate_window=max(0.001, _pick(n.rate_window, settings.rate_window)),
        bulk_share=min(1.0, max(0.0, settings.bulk_share)),
        bulk_gap=max(0.0, _pick(n.bulk_gap, settings.bulk_gap)),
        bulk_jitter=max(0.0, _pick(n.bulk_jitter, settings.bulk_jitter)),
        daily_cap=warmup_cap(full, start_cap, days, first_linked, now),
        tenant_per_minute=int(_pick(t.per_minute, settings.tenant_per_minute)),
        tenant_per_day=int(_pick(t.per_day, settings.tenant_per_day)),
        quiet=(start, end) if start is not None and end is not None else None,
        timezone=timezone,
        warmup_day=warming,
        warmup_days=days if warming else 0,
        warmup_pending=full > 0 and days > 0 and first_linked is None,
    )


class PolicyCache:
    """Limits per number, re-read from the database at most every ``ttl`` seconds."""

    def __init__(self, settings: DeliverySettings, ttl: float = 10.0) -> None:
        self.settings = settings
        self.ttl = ttl
        self._rows: dict[
            int, tuple[float, str, NumberSendPolicy | None, TenantSendPolicy | None]
        ] = {}

    def limits(self, session: Session, number_ids: set[int], now: datetime) -> dict[int, Limits]:
        stale = {n for n in number_ids if self._expired(n)}
        if stale:
            self._load(session, stale, now)
        found = {}
        for number_id in number_ids:
            _, timezone, number, tenant = self._rows[number_id]
            found[number_id] = resolve(self.settings, timezone, number, tenant, now)
        return found

    def forget(self) -> None:
        self._rows.clear()

    def _expired(self, number_id: int) -> bool:
        entry = self._rows.get(number_id)
        return entry is None or clock.monotonic() - entry[0] > self.ttl

    def _load(self, session: Session, number_ids: set[int], now: datetime) -> None:
        ids = sorted(number_ids)
        found = session.exec(select(WhatsAppNumber).where(col(WhatsAppNumber.id).in_(ids)))
        numbers = {n.id: n for n in found}
        found_policies = session.exec(
            select(NumberSendPolicy).where(col(NumberSendPolicy.number_id).in_(ids))
        )
        policies = {p.number_id: p for p in found_policies}
        tenant_ids = sorted({n.tenant_id for n in numbers.values()})
        found_tenants = session.exec(
            select(TenantSendPolicy).where(col(TenantSendPolicy.tenant_id).in_(tenant_ids))
        )
        tenants = {t.tenant_id: t for t in found_tenants}
        zone_rows = session.exec(
            select(Tenant.id, Tenant.timezone).where(col(Tenant.id).in_(tenant_ids))
        )
        zones: dict[int | None, str] = {tid: tz for tid, tz in zone_rows}
        loaded_at = clock.monotonic()
        for number_id in ids:
            number = numbers.get(number_id)
            if number is None:
                self._rows[number_id] = (loaded_at, "UTC", None, None)
                continue
            policy = note_first_link(
                session, number=number, policy=policies.get(number_id), now=now
            )
            zone_name = str(zones.get(number.tenant_id) or "UTC")
            self._rows[number_id] = (loaded_at, zone_name, policy, tenants.get(number.tenant_id))


def start_warmup(session: Session, *, number: WhatsAppNumber, now: datetime) -> None:
    """A phone was just linked to ``number``: its warm-up clock starts now (unless this
    phone was linked before), not at its first send."""
    policy = session.exec(
        select(NumberSendPolicy).where(NumberSendPolicy.number_id == number.id)
    ).first()
    note_first_link(session, number=number, policy=policy, now=now)


def note_first_link(
    session: Session, *, number: WhatsAppNumber, policy: NumberSendPolicy | None, now: datetime
) -> NumberSendPolicy | None:
    """Start (or restart) the warm-up clock when a phone is first seen linked to the number.

    ``last_connected_at`` moves on every reconnect, so the first value we see is kept; a
    different phone on the same number is a new account and warms up again."""
    linked = number.last_connected_at
    if linked is None or number.id is None:
        return policy
    if (
        policy is not None
        and policy.first_linked_at is not None
        and (policy.linked_phone == number.phone)
    ):
        return policy
    fresh = policy or NumberSendPolicy(tenant_id=number.tenant_id, number_id=number.id)
    fresh.first_linked_at, fresh.linked_phone, fresh.updated_at = linked, number.phone, now
    try:
        with session.begin_nested():  # two workers may create the row at once: one wins
            session.add(fresh)
    except IntegrityError:
        return session.exec(
            select(NumberSendPolicy).where(NumberSendPolicy.number_id == number.id)
        ).first()
    return fresh
