"""Time-based triggers: what they are, validating them, and when a schedule falls due.

Four kinds, each a rule's ``trigger`` document:

- ``no_customer_reply`` ``{"minutes": X}``: our last outbound message got no answer for X;
- ``no_agent_reply`` ``{"minutes": X}``: the customer's last message got no reply from a person
  (an attendant or the business's phone; an automated reply does not count) for X;
- ``idle`` ``{"minutes": X}``: nothing happened on an open conversation for X;
- ``schedule`` ``{"at": "HH:MM", "days": ...}``: a cron-like schedule in the tenant's time
  zone, at a time of day on

  - ``"every_day"`` or ``"weekdays"`` (Monday to Friday), as first offered;
  - ``"chosen_days"`` with ``"week_days": ["mon", "thu", ...]``: the chosen days of the week;
  - ``"month_day"`` with ``"month_day": 1..31``: one day of each month, the month's last day
    when it is shorter (31 falls on 28/29 February and 30 April).

  ``croniter`` is not a dependency of the project, so full cron expressions are not offered.

No I/O here: :mod:`whatsapp_saas.automations.timer_scan` finds the due conversations and fires
the rules. Rules with these triggers never fire on a message (see ``rules._compile_trigger``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from whatsapp_saas.errors import UserError

NO_CUSTOMER_REPLY = "no_customer_reply"
NO_AGENT_REPLY = "no_agent_reply"
IDLE = "idle"
SCHEDULE = "schedule"
WAIT_TRIGGERS = (NO_CUSTOMER_REPLY, NO_AGENT_REPLY, IDLE)
TIMER_TRIGGERS = (*WAIT_TRIGGERS, SCHEDULE)
EVERY_DAY, WEEKDAYS, CHOSEN_DAYS, MONTH_DAY = "every_day", "weekdays", "chosen_days", "month_day"
DAYS = (EVERY_DAY, WEEKDAYS, CHOSEN_DAYS, MONTH_DAY)
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
MAX_MINUTES = 60 * 24 * 30  # a month: longer waits are follow-ups, not triggers


def is_timer(trigger: dict[str, Any]) -> bool:
    return str(trigger.get("type") or "") in TIMER_TRIGGERS


def validate_trigger(raw: dict[str, Any]) -> dict[str, Any]:
    """The cleaned trigger, or a UserError naming the field (``minutes``, ``at``, ``days``,
    ``week_days``, ``month_day``). An old schedule (every day, weekdays) comes back as it was."""
    kind = str(raw.get("type") or "")
    if kind in WAIT_TRIGGERS:
        value = str(raw.get("minutes") or "").strip()
        if not value.isdigit() or not 1 <= int(value) <= MAX_MINUTES:
            raise UserError("error.auto_timer_minutes_invalid", field="minutes")
        return {"type": kind, "minutes": int(value)}
    if kind != SCHEDULE:
        raise UserError("error.auto_trigger_invalid", field="trigger")
    at = str(raw.get("at") or "").strip()
    try:
        parse_at(at)
    except ValueError as exc:
        raise UserError("error.auto_time_invalid", field="at") from exc
    days = str(raw.get("days") or EVERY_DAY)
    if days not in DAYS:
        raise UserError("error.auto_days_invalid", field="days")
    cleaned: dict[str, Any] = {"type": kind, "at": at, "days": days}
    if days == CHOSEN_DAYS:
        cleaned["week_days"] = _week_days(raw.get("week_days"))
    elif days == MONTH_DAY:
        value = str(raw.get("month_day") or "").strip()
        if not value.isdigit() or not 1 <= int(value) <= 31:
            raise UserError("error.auto_month_day_invalid", field="month_day")
        cleaned["month_day"] = int(value)
    return cleaned


def _week_days(raw: object) -> list[str]:
    """At least one of :data:`WEEK`, in week order (a list, or text such as ``"mon,thu"``)."""
    if isinstance(raw, str):
        raw = raw.split(",")
    items: Iterable[object] = raw if isinstance(raw, list | tuple) else ()
    chosen = {str(item).strip().lower() for item in items}
    chosen.discard("")
    if not chosen or not chosen <= set(WEEK):
        raise UserError("error.auto_week_days_invalid", field="week_days")
    return [d for d in WEEK if d in chosen]


def timer_defaults(trigger: dict[str, Any]) -> tuple[str, str, list[str], str]:
    """The builder's schedule fields for ``trigger`` (any kind): time, days, the chosen days
    of the week and the day of the month."""
    week = [str(d) for d in trigger.get("week_days") or () if str(d) in WEEK]
    month_day = trigger.get("month_day")
    return (
        str(trigger.get("at") or "09:00"),
        str(trigger.get("days") or EVERY_DAY),
        week,
        str(month_day) if month_day else "",
    )


def parse_at(value: str) -> time:
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(value)
    return time(int(hours), int(minutes))  # ValueError when out of range


def wait_of(trigger: dict[str, Any]) -> timedelta:
    return timedelta(minutes=int(trigger.get("minutes") or 0))


def falls_on(trigger: dict[str, Any], day: date) -> bool:
    """Whether a schedule runs on ``day`` (a date in the tenant's time zone)."""
    days = trigger.get("days") or EVERY_DAY
    if days == WEEKDAYS:
        return day.weekday() < 5
    if days == CHOSEN_DAYS:
        return WEEK[day.weekday()] in (trigger.get("week_days") or ())
    if days == MONTH_DAY:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(int(trigger.get("month_day") or 1), last)
    return True


def last_period(trigger: dict[str, Any], now: datetime, timezone: str) -> datetime:
    """The latest scheduled instant at or before ``now`` (UTC), in the tenant's time zone.

    Found by walking back day by day (at most 32 days: a monthly schedule's longest gap is 31),
    so a daylight-saving change moves the UTC instant but never the wall-clock time. Instants
    are compared in UTC: a time the clock repeats (autumn) is its first occurrence, a time it
    skips (spring, 02:30 when 02:00 jumps to 03:00) falls as much later (03:30); each day has
    exactly one instant, so the result never goes back as ``now`` advances (the scanner keys
    a period on it and fires it once).
    """
    zone = ZoneInfo(timezone)
    at = parse_at(str(trigger["at"]))
    today = now.astimezone(zone).date()
    for back in range(33):
        day = today - timedelta(days=back)
        if not falls_on(trigger, day):
            continue
        moment = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if moment <= now:
            return moment.astimezone(now.tzinfo)
    raise AssertionError("a schedule falls due at least once a month")
