"""Recurring schedules: next occurrences in the tenant's timezone, across DST and month ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sched_helpers import World, outbound

from whatsapp_saas.db import session_scope
from whatsapp_saas.scheduling.dispatch_schedules import fire_due_schedules
from whatsapp_saas.scheduling.models import ScheduledMessage
from whatsapp_saas.scheduling.recurrence import (
    local_to_utc,
    next_occurrence,
    occurrence_utc,
    utc_to_local,
)
from whatsapp_saas.scheduling.schedules import create_schedule

NY = "America/New_York"
BERLIN = "Europe/Berlin"


def test_daily_keeps_the_wall_clock_across_spring_forward() -> None:
    anchor = datetime(2030, 3, 8, 9, 0)  # DST starts in New York on 2030-03-10
    times = [occurrence_utc(anchor, NY, "daily", n) for n in range(4)]
    assert [utc_to_local(t, NY).hour for t in times] == [9, 9, 9, 9]
    assert times[1] - times[0] == timedelta(hours=24)
    assert times[2] - times[1] == timedelta(hours=23)  # the short night


def test_weekly_keeps_the_wall_clock_across_fall_back() -> None:
    anchor = datetime(2030, 10, 21, 18, 30)  # Berlin leaves DST on 2030-10-27
    first, second = (occurrence_utc(anchor, BERLIN, "weekly", n) for n in (0, 1))
    assert first.hour == 16 and second.hour == 17  # UTC+2, then UTC+1
    assert utc_to_local(second, BERLIN) == datetime(2030, 10, 28, 18, 30)


def test_a_time_skipped_by_dst_moves_forward_and_a_repeated_time_takes_the_first() -> None:
    gap = local_to_utc(datetime(2030, 3, 10, 2, 30), NY)  # does not exist in New York
    assert utc_to_local(gap, NY) == datetime(2030, 3, 10, 3, 30)
    twice = local_to_utc(datetime(2030, 11, 3, 1, 30), NY)  # happens twice
    assert twice == datetime(2030, 11, 3, 5, 30, tzinfo=UTC)  # the first one (EDT)


def test_monthly_on_the_31st_clamps_and_comes_back() -> None:
    anchor = datetime(2030, 1, 31, 10, 0)
    days = [utc_to_local(occurrence_utc(anchor, BERLIN, "monthly", n), BERLIN) for n in range(4)]
    assert [d.day for d in days] == [31, 28, 31, 30]
    assert all(d.hour == 10 for d in days)


def test_next_occurrence_skips_what_was_missed_while_down() -> None:
    anchor = datetime(2030, 1, 1, 9, 0)
    now = local_to_utc(datetime(2030, 1, 20, 12, 0), NY)  # 19 days later
    n, due = next_occurrence(anchor, NY, "daily", 0, now) or (0, now)
    assert utc_to_local(due, NY) == datetime(2030, 1, 21, 9, 0) and n == 20
    assert next_occurrence(anchor, NY, "none", 0, now) is None


def test_a_recurring_schedule_fires_each_occurrence_once(world: World) -> None:
    start = datetime.now(UTC) + timedelta(minutes=1)
    with session_scope() as session:
        row = create_schedule(
            world.scope(session),
            actor=world.owner,
            number_id=world.number_id,
            contact_id=world.contact_ids[0],
            when_local=utc_to_local(start, world.timezone),
            text="Lembrete",
            recurrence="daily",
        )
        sid = row.id
    for day in range(3):
        at = start + timedelta(days=day, seconds=1)
        for _ in range(2):  # a second pass at the same moment finds nothing
            with session_scope() as session:
                fire_due_schedules(session, now=at, late_after=30)
    assert len(outbound()) == 3
    with session_scope() as session:
        row = world.scope(session).get(ScheduledMessage, sid)
    assert row.status == "pending" and row.sent_count == 3 and row.occurrence == 3
    assert utc_to_local(row.due_at, world.timezone) == utc_to_local(
        start + timedelta(days=3), world.timezone
    ).replace(microsecond=row.anchor_local.microsecond)
