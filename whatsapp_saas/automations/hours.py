"""Business hours for automations: weekly windows in a time zone, minus holidays.

The out-of-hours reply goes at most once per closed period; a closed period is named by the
moment it ends (the next opening), which is the same for every message inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from whatsapp_saas.automations.models import AutomationSettings
from whatsapp_saas.scheduling.hours import BusinessHours

SEARCH_DAYS = 370  # a year of holidays cannot hide the next opening from us


@dataclass(frozen=True)
class OpeningHours:
    weekly: BusinessHours
    holidays: frozenset[date]

    @classmethod
    def of(cls, settings: AutomationSettings) -> OpeningHours | None:
        """None when the tenant set no weekly hours (business-hours conditions then fail)."""
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
