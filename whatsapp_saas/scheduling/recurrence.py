"""Occurrences of a schedule in the tenant's timezone, DST-safe.

Every occurrence is computed from the anchor (the wall-clock time the attendant picked) plus
n periods, never from the previous occurrence: 09:00 stays 09:00 across DST changes, and a
monthly schedule on the 31st falls on the 30th in April and on the 31st again in May.

Local times that do not exist (the spring-forward gap) move forward by the gap; local times
that happen twice (fall back) use the first one. That is what ``zoneinfo`` does with fold=0.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from whatsapp_saas.errors import UserError
from whatsapp_saas.scheduling.models import Recurrence

MAX_SKIP = 100_000  # occurrences skipped at most when catching up (years of daily runs)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UserError("error.timezone_invalid") from exc


def local_to_utc(local: datetime, tz_name: str) -> datetime:
    """A naive wall-clock time in ``tz_name`` as an aware UTC instant."""
    return local.replace(tzinfo=zone(tz_name), fold=0).astimezone(UTC)


def utc_to_local(moment: datetime, tz_name: str) -> datetime:
    """An aware instant as a naive wall-clock time in ``tz_name``."""
    return moment.astimezone(zone(tz_name)).replace(tzinfo=None)


def _add_months(local: datetime, months: int) -> datetime:
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def local_occurrence(anchor_local: datetime, recurrence: str, n: int) -> datetime:
    """The n-th occurrence's wall-clock time (n = 0 is the anchor itself)."""
    if n == 0 or recurrence == Recurrence.NONE:
        return anchor_local
    if recurrence == Recurrence.DAILY:
        return anchor_local + timedelta(days=n)
    if recurrence == Recurrence.WEEKLY:
        return anchor_local + timedelta(weeks=n)
    if recurrence == Recurrence.MONTHLY:
        return _add_months(anchor_local, n)
    raise UserError("error.sched_recurrence_invalid")


def occurrence_utc(anchor_local: datetime, tz_name: str, recurrence: str, n: int) -> datetime:
    return local_to_utc(local_occurrence(anchor_local, recurrence, n), tz_name)


def next_occurrence(
    anchor_local: datetime, tz_name: str, recurrence: str, after_n: int, now: datetime
) -> tuple[int, datetime] | None:
    """The first occurrence after ``after_n`` that is still in the future, or None (one-off).

    Occurrences missed while every scheduler was down are skipped, not sent in a burst: the
    late run already covered them.
    """
    if recurrence == Recurrence.NONE:
        return None
    n = after_n + 1
    due = occurrence_utc(anchor_local, tz_name, recurrence, n)
    if due <= now:
        n = _jump_near(anchor_local, tz_name, recurrence, n, now)
        due = occurrence_utc(anchor_local, tz_name, recurrence, n)
    for _ in range(MAX_SKIP):
        if due > now:
            return n, due
        n += 1
        due = occurrence_utc(anchor_local, tz_name, recurrence, n)
    return None


def _jump_near(anchor_local: datetime, tz_name: str, recurrence: str, n: int, now: datetime) -> int:
    """A lower bound close to the first future occurrence, so catching up is not a long loop."""
    elapsed_days = (utc_to_local(now, tz_name) - anchor_local).days
    per = {Recurrence.DAILY: 1, Recurrence.WEEKLY: 7}.get(Recurrence(recurrence), 31)
    return max(n, elapsed_days // per - 1)
