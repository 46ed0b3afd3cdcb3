"""Business hours and quiet hours in the tenant's timezone.

Business hours are one window per weekday (a missing day is closed); follow-ups that are
business-hours aware move to the next opening. Quiet hours are one nightly window during which
campaigns wait; it may wrap midnight (21:00-08:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from whatsapp_saas.errors import UserError
from whatsapp_saas.scheduling.recurrence import local_to_utc, utc_to_local

Window = tuple[time, time]


def parse_hhmm(value: str) -> time:
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError) as exc:
        raise UserError("error.sched_time_invalid", value=value) from exc


@dataclass(frozen=True)
class BusinessHours:
    """Opening windows by weekday (0 = Monday) in ``timezone``."""

    timezone: str
    windows: dict[int, Window]

    @classmethod
    def from_json(cls, timezone: str, raw: dict[str, list[str]]) -> BusinessHours:
        windows: dict[int, Window] = {}
        for day, pair in raw.items():
            start, end = parse_hhmm(pair[0]), parse_hhmm(pair[1])
            if start < end:
                windows[int(day)] = (start, end)
        return cls(timezone, windows)

    def is_open(self, moment: datetime) -> bool:
        local = utc_to_local(moment, self.timezone)
        window = self.windows.get(local.weekday())
        return window is not None and window[0] <= local.time() < window[1]

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` if open then, else the next opening time (UTC); ``moment`` if never open."""
        if not self.windows or self.is_open(moment):
            return moment
        local = utc_to_local(moment, self.timezone)
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            window = self.windows.get(day.weekday())
            if window is None:
                continue
            opening = datetime.combine(day, window[0])
            if opening > local:
                return local_to_utc(opening, self.timezone)
        return moment


@dataclass(frozen=True)
class QuietHours:
    timezone: str
    start: time
    end: time

    def is_quiet(self, moment: datetime) -> bool:
        if self.start == self.end:
            return False  # an empty window: never quiet
        now = utc_to_local(moment, self.timezone).time()
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end
