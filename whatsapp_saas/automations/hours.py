"""Business hours for automations: weekly windows in a time zone, minus holidays.

The out-of-hours reply goes at most once per closed period; a closed period is named by the
moment it ends (the next opening), which is the same for every message inside it.

A WhatsApp number or a department may have its own hours (``HoursOverride``); a conversation
uses its department's if that has its own, else its number's, else the company's
(:func:`applied_hours`, one indexed query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from whatsapp_saas.automations.models import AutomationSettings, HoursOverride
from whatsapp_saas.inbox.models import Conversation, Department
from whatsapp_saas.scheduling.hours import BusinessHours
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

SEARCH_DAYS = 370  # a year of holidays cannot hide the next opening from us


class HoursRow(Protocol):
    """The tenant's settings and an override both carry these three."""

    timezone: str
    weekly_hours: dict[str, list[str]]
    holidays: list[str]


@dataclass(frozen=True)
class OpeningHours:
    weekly: BusinessHours
    holidays: frozenset[date]

    @classmethod
    def of(cls, settings: HoursRow) -> OpeningHours | None:
        """None when no weekly hours are set (business-hours conditions then fail)."""
        if not settings.weekly_hours:
            return None
        weekly = BusinessHours.from_json(settings.timezone, settings.weekly_hours)
        return cls(weekly, frozenset(date.fromisoformat(d) for d in settings.holidays))

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.weekly.timezone))

    def is_open(self, moment: datetime) -> bool:
        if self._local(moment).date() in self.holidays:
            return False
        return self.weekly.is_open(moment)

    def next_open(self, moment: datetime) -> datetime | None:
        """The end of the closed period ``moment`` is in (UTC); None if never open."""
        zone = ZoneInfo(self.weekly.timezone)
        local = self._local(moment)
        for days in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=days)
            window = self.weekly.windows.get(day.weekday())
            if window is None or day in self.holidays:
                continue
            opening = datetime.combine(day, window[0], tzinfo=zone)
            if opening > local:
                return opening.astimezone(moment.tzinfo)
        return None


COMPANY, NUMBER, DEPARTMENT = "company", "number", "department"


@dataclass(frozen=True)
class AppliedHours:
    """The hours a conversation is judged by, and whose they are (the dry run says so)."""

    hours: OpeningHours | None
    source: str = COMPANY  # COMPANY, NUMBER or DEPARTMENT
    owner_id: int | None = None  # the number's or the department's id

    def is_open(self, moment: datetime) -> bool | None:
        """None when no weekly hours apply (see :meth:`OpeningHours.of`)."""
        return None if self.hours is None else self.hours.is_open(moment)


def applied_hours(
    scope: TenantScope, *, settings: AutomationSettings, conversation: Conversation | None
) -> AppliedHours:
    """The department's own hours, else the number's, else the company's."""
    company = AppliedHours(OpeningHours.of(settings))
    if conversation is None:
        return company
    t: sa.Table = HoursOverride.__table__  # type: ignore[attr-defined]
    mine = [t.c.number_id == conversation.number_id]
    if conversation.department_id is not None:
        mine.append(t.c.department_id == conversation.department_id)
    query = sa.select(HoursOverride).where(t.c.tenant_id == scope.tenant_id, sa.or_(*mine))
    found = list(scope.session.execute(query).scalars())
    for override in found:
        if override.department_id is not None:
            return AppliedHours(OpeningHours.of(override), DEPARTMENT, override.department_id)
    for override in found:
        return AppliedHours(OpeningHours.of(override), NUMBER, override.number_id)
    return company


def applied_name(scope: TenantScope, *, applied: AppliedHours) -> str:
    """The number's or department's name ("" for the company's hours)."""
    if applied.owner_id is None:
        return ""
    row: Department | WhatsAppNumber | None
    if applied.source == DEPARTMENT:
        row = scope.session.get(Department, applied.owner_id)
    else:
        row = scope.session.get(WhatsAppNumber, applied.owner_id)
    return row.name if row is not None and row.tenant_id == scope.tenant_id else ""


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


# National holidays (Lei 662/1949 and later laws; 20 Nov since Lei 14.759/2023).
_FIXED = ((1, 1), (4, 21), (5, 1), (9, 7), (10, 12), (11, 2), (11, 15), (11, 20), (12, 25))
# Carnival Monday and Tuesday, Good Friday and Corpus Christi move with Easter; Carnival and
# Corpus Christi are optional days off nationally, but most businesses close on them.
_EASTER_OFFSETS = (-48, -47, -2, 60)


def brazilian_holidays(year: int) -> list[date]:
    fixed = [date(year, month, day) for month, day in _FIXED]
    moving = [easter(year) + timedelta(days=offset) for offset in _EASTER_OFFSETS]
    return sorted(fixed + moving)
