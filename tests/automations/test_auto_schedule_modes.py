"""The schedule trigger's cron-like modes (automations.timers): every day and weekdays as
before, chosen days of the week, and a day of the month (a shorter month's last day); each
computed in the tenant's time zone across daylight-saving changes, validated field by field,
kept by the rule builder, and fired once per instant by the scan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from auto_helpers import World, add_rule, automated, inbound

from whatsapp_saas.automations import rules, service, timers
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.automations.timer_scan import scan_due
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import translate
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.automations import view
from whatsapp_saas.ui.automations.forms import FIELD_OF_ERROR, actions_from, rule_parts
from whatsapp_saas.ui.automations.state import AutomationsState

SEND = [{"type": "send_message", "message": "Bom dia, {{contact.first_name}}!"}]
NY = "America/New_York"
SP = "America/Sao_Paulo"


def _at(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in ``zone`` as a UTC instant (fold 0: an ambiguous time's first)."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _clean(trigger: dict[str, Any]) -> dict[str, Any]:
    _, cleaned, _, _ = rules.validate(name="r", trigger=trigger, conditions=[], actions=SEND)
    return cleaned


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "field"),
    [
        ({"days": "chosen_days"}, "week_days"),
        ({"days": "chosen_days", "week_days": []}, "week_days"),
        ({"days": "chosen_days", "week_days": ["mon", "funday"]}, "week_days"),
        ({"days": "chosen_days", "week_days": 3}, "week_days"),
        ({"days": "month_day"}, "month_day"),
        ({"days": "month_day", "month_day": "0"}, "month_day"),
        ({"days": "month_day", "month_day": "32"}, "month_day"),
        ({"days": "month_day", "month_day": "1.5"}, "month_day"),
        ({"days": "monthly", "month_day": "3"}, "days"),
        ({"at": "24:00", "days": "month_day", "month_day": "3"}, "at"),
    ],
)
def test_invalid_schedules_name_their_field(trigger: dict[str, Any], field: str) -> None:
    with pytest.raises(UserError) as caught:
        _clean({"type": "schedule", "at": "09:00", **trigger})
    assert caught.value.params["field"] == field
    assert FIELD_OF_ERROR[caught.value.code] == field  # shown under that field in the builder
    for language in ("en", "pt-BR"):
        assert translate(caught.value.code, language) != caught.value.code


def test_schedules_are_cleaned_and_old_ones_come_back_unchanged() -> None:
    old = {"type": "schedule", "at": "09:00", "days": "weekdays"}
    assert _clean(old) == old
    assert _clean({**old, "days": "every_day", "week_days": ["mon"], "month_day": "4"}) == {
        "type": "schedule",
        "at": "09:00",
        "days": "every_day",
    }  # another mode's leftovers are not kept
    chosen = {"type": "schedule", "at": "07:15", "days": "chosen_days"}
    assert _clean({**chosen, "week_days": ["sun", "MON", "mon", " wed"]}) == {
        **chosen,
        "week_days": ["mon", "wed", "sun"],
    }
    assert _clean({**chosen, "week_days": "fri,tue"})["week_days"] == ["tue", "fri"]
    monthly = {"type": "schedule", "at": "07:15", "days": "month_day", "month_day": " 31 "}
    assert _clean(monthly) == {**monthly, "month_day": 31}


# --- when each mode falls due ----------------------------------------------------------------


def test_chosen_days_of_the_week() -> None:
    trigger = {
        "type": "schedule",
        "at": "09:00",
        "days": "chosen_days",
        "week_days": ["tue", "sat"],
    }
    # Thu 2026-03-19 noon in São Paulo: the latest is Tue 17th 09:00.
    assert timers.last_period(trigger, _at(SP, 2026, 3, 19, 12), SP) == _at(SP, 2026, 3, 17, 9)
    # Sat 21st, 08:59 then 09:00.
    assert timers.last_period(trigger, _at(SP, 2026, 3, 21, 8, 59), SP) == _at(SP, 2026, 3, 17, 9)
    assert timers.last_period(trigger, _at(SP, 2026, 3, 21, 9), SP) == _at(SP, 2026, 3, 21, 9)
    only_sunday = {**trigger, "week_days": ["sun"]}  # a whole week back
    assert timers.last_period(only_sunday, _at(SP, 2026, 3, 22, 8), SP) == _at(SP, 2026, 3, 15, 9)


def test_a_day_of_the_month_and_the_shorter_months() -> None:
    trigger = {"type": "schedule", "at": "10:30", "days": "month_day", "month_day": 31}
    # 31 in February (2026: 28 days; 2028: 29) and April (30) falls on the last day.
    assert timers.last_period(trigger, _at(SP, 2026, 3, 1, 9), SP) == _at(SP, 2026, 2, 28, 10, 30)
    assert timers.last_period(trigger, _at(SP, 2028, 3, 1, 9), SP) == _at(SP, 2028, 2, 29, 10, 30)
    assert timers.last_period(trigger, _at(SP, 2026, 5, 30, 9), SP) == _at(SP, 2026, 4, 30, 10, 30)
    assert timers.last_period(trigger, _at(SP, 2026, 3, 31, 11), SP) == _at(SP, 2026, 3, 31, 10, 30)
    # The day before it falls, the latest is a month back (31 days: the longest walk).
    assert timers.last_period(trigger, _at(SP, 2026, 3, 31, 10), SP) == _at(SP, 2026, 2, 28, 10, 30)
    fifteenth = {**trigger, "month_day": 15}
    assert timers.last_period(fifteenth, _at(SP, 2026, 2, 28, 9), SP) == _at(
        SP, 2026, 2, 15, 10, 30
    )
    assert timers.last_period(fifteenth, _at(SP, 2026, 1, 14, 9), SP) == _at(
        SP, 2025, 12, 15, 10, 30
    )
    first = {**trigger, "month_day": 1}
    assert timers.last_period(first, _at(SP, 2026, 1, 1, 10, 30), SP) == _at(SP, 2026, 1, 1, 10, 30)


def test_each_mode_keeps_wall_time_across_dst_in_new_york() -> None:
    # 2026-03-08 (Sunday): 02:00 EST jumps to 03:00 EDT; 2026-11-01 (Sunday): 02:00 EDT
    # goes back to 01:00 EST.
    monthly = {"type": "schedule", "at": "09:00", "days": "month_day", "month_day": 8}
    assert timers.last_period(monthly, _at(NY, 2026, 3, 8, 9, 1), NY) == datetime(
        2026, 3, 8, 13, 0, tzinfo=UTC
    )  # 09:00 EDT (UTC-4)
    assert timers.last_period(monthly, _at(NY, 2026, 3, 8, 8, 59), NY) == datetime(
        2026, 2, 8, 14, 0, tzinfo=UTC
    )  # 09:00 EST (UTC-5)
    sundays = {"type": "schedule", "at": "09:00", "days": "chosen_days", "week_days": ["sun"]}
    assert timers.last_period(sundays, datetime(2026, 3, 8, 13, 30, tzinfo=UTC), NY) == datetime(
        2026, 3, 8, 13, 0, tzinfo=UTC
    )
    assert timers.last_period(sundays, datetime(2026, 3, 8, 12, 30, tzinfo=UTC), NY) == datetime(
        2026, 3, 1, 14, 0, tzinfo=UTC
    )  # 08:30 EDT: still last Sunday's (EST)
    assert timers.last_period(sundays, datetime(2026, 11, 1, 14, 0, tzinfo=UTC), NY) == datetime(
        2026, 11, 1, 14, 0, tzinfo=UTC
    )  # 09:00 EST, after the clocks went back
    daily = {"type": "schedule", "at": "09:00", "days": "every_day"}
    assert timers.last_period(daily, datetime(2026, 11, 2, 14, 0, tzinfo=UTC), NY) == datetime(
        2026, 11, 2, 14, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("at", "day", "expected"),
    [
        # A time the clock skips falls as much later: 02:30 EST = 03:30 EDT (07:30 UTC).
        ("02:30", date(2026, 3, 8), datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
        # A time the clock repeats is its first occurrence: 01:30 EDT (05:30 UTC).
        ("01:30", date(2026, 11, 1), datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
)
def test_a_skipped_or_repeated_time_falls_once_and_never_goes_back(
    at: str, day: date, expected: datetime
) -> None:
    """Swept every five minutes across the change: never a future instant, never an earlier
    one than before, and the change day's instant seen from exactly ``expected`` on."""
    for trigger in (
        {"type": "schedule", "at": at, "days": "every_day"},
        {"type": "schedule", "at": at, "days": "chosen_days", "week_days": ["sun"]},
        {"type": "schedule", "at": at, "days": "month_day", "month_day": day.day},
    ):
        now = datetime.combine(day, time(0), tzinfo=UTC)
        seen: list[datetime] = []
        while now < datetime.combine(day, time(12), tzinfo=UTC):
            period = timers.last_period(trigger, now, NY)
            assert period <= now
            assert not seen or period >= seen[-1]
            if not seen or period != seen[-1]:
                seen.append(period)
            now += timedelta(minutes=5)
        assert seen[-1] == expected
        assert len(seen) == 2  # the previous occurrence, then the change day's: once each


def test_old_schedules_fall_due_exactly_as_before() -> None:
    """The original every-day / weekdays walk, kept here, agrees with the new one hour by hour
    over a year in a zone with daylight saving and in São Paulo."""

    def before(trigger: dict[str, Any], now: datetime, timezone: str) -> datetime:
        zone = ZoneInfo(timezone)
        at = timers.parse_at(str(trigger["at"]))
        local = now.astimezone(zone)
        for back in range(8):
            day = local.date() - timedelta(days=back)
            if trigger.get("days") == "weekdays" and day.weekday() >= 5:
                continue
            moment = datetime.combine(day, at, tzinfo=zone)
            if moment <= local:
                return moment.astimezone(now.tzinfo)
        raise AssertionError

    olds = [
        {"type": "schedule", "at": "09:00"},
        {"type": "schedule", "at": "09:00", "days": "every_day"},
        {"type": "schedule", "at": "18:45", "days": "weekdays"},
    ]
    start = datetime(2026, 1, 1, 0, 7, tzinfo=UTC)
    for hours in range(0, 24 * 366, 5):
        now = start + timedelta(hours=hours)
        for trigger in olds:
            for zone in (NY, SP):
                assert timers.last_period(trigger, now, zone) == before(trigger, now, zone)


# --- the rule builder keeps them -------------------------------------------------------------


def _builder(scope: TenantScope, world: World, rule_id: int) -> Any:
    """The builder's state after "Edit" (AutomationsState._fill on the rule's form)."""
    builder = SimpleNamespace(form_key=0)
    AutomationsState._fill(builder, view.rule_form(scope, world.owner, rule_id))  # type: ignore[arg-type]
    return builder


def _press_save(scope: TenantScope, world: World, rule_id: int, builder: Any) -> AutomationRule:
    """What the browser submits from the schedule's inputs (their defaults) on Save: a ticked
    box sends "on", an unticked one nothing."""
    form: dict[str, Any] = {
        "name": builder.form_name,
        "at": builder.trigger_at,
        "days": builder.trigger_days,
        "month_day": builder.trigger_month_day,
        **{f"week_{d}": "on" for d in builder.trigger_week_days},
        **{f"message_{i}": a["message"] for i, a in enumerate(builder.actions)},
    }
    kinds = [a["type"] for a in builder.actions]
    parts = rule_parts(form, builder.trigger_type, actions_from(form, kinds), [])
    return service.save_rule(scope, actor=world.owner, rule_id=rule_id, **parts)


def test_the_builder_loads_and_saves_each_schedule_mode(world: World) -> None:
    chosen = {"type": "schedule", "at": "08:15", "days": "chosen_days", "week_days": ["mon", "fri"]}
    rule_id = add_rule(world, name="Agenda", trigger=chosen, actions=SEND)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        builder = _builder(scope, world, rule_id)
        assert (builder.trigger_at, builder.trigger_days) == ("08:15", "chosen_days")
        assert builder.trigger_week_days == ["mon", "fri"]
        assert _press_save(scope, world, rule_id, builder).trigger == chosen
        # Switched to a day of the month: the day is kept, the boxes are dropped.
        builder.trigger_days, builder.trigger_month_day = "month_day", "31"
        monthly = {"type": "schedule", "at": "08:15", "days": "month_day", "month_day": 31}
        assert _press_save(scope, world, rule_id, builder).trigger == monthly
        builder = _builder(scope, world, rule_id)
        assert (builder.trigger_days, builder.trigger_month_day) == ("month_day", "31")
        assert builder.trigger_week_days == []
        assert _press_save(scope, world, rule_id, builder).trigger == monthly
        # No box ticked, or no day: refused, naming the field.
        builder.trigger_days, builder.trigger_week_days = "chosen_days", []
        with pytest.raises(UserError) as caught:
            _press_save(scope, world, rule_id, builder)
        assert caught.value.params["field"] == "week_days"
        builder.trigger_days, builder.trigger_month_day = "month_day", ""
        with pytest.raises(UserError) as caught:
            _press_save(scope, world, rule_id, builder)
        assert caught.value.params["field"] == "month_day"


def test_an_old_schedule_rule_loads_and_saves_as_it_was(world: World) -> None:
    old = {"type": "schedule", "at": "09:00", "days": "weekdays"}
    rule_id = add_rule(world, name="Dias úteis", trigger=old, actions=SEND)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        row = scope.get(AutomationRule, rule_id)
        row.trigger = {"type": "schedule", "at": "09:00"}  # saved before "days" existed
        session.add(row)
        session.flush()
        builder = _builder(scope, world, rule_id)
        assert (builder.trigger_at, builder.trigger_days) == ("09:00", "every_day")
        assert (builder.trigger_week_days, builder.trigger_month_day) == ([], "")
        assert _press_save(scope, world, rule_id, builder).trigger == {
            "type": "schedule",
            "at": "09:00",
            "days": "every_day",
        }
        builder.trigger_days = "weekdays"
        assert _press_save(scope, world, rule_id, builder).trigger == old


def test_the_days_select_only_takes_known_modes() -> None:
    state = SimpleNamespace(trigger_days="every_day")
    AutomationsState.set_trigger_days.fn(state, "month_day")  # type: ignore[attr-defined]
    assert state.trigger_days == "month_day"
    AutomationsState.set_trigger_days.fn(state, "hourly")  # type: ignore[attr-defined]
    assert state.trigger_days == "every_day"


# --- the scan fires a new mode once per instant ---------------------------------------------


def test_a_chosen_days_rule_fires_once_on_its_day_only(world: World) -> None:
    inbound(world, "oi")
    tomorrow = (utcnow() + timedelta(days=1)).astimezone(ZoneInfo(SP)).date()
    weekday = timers.WEEK[tomorrow.weekday()]
    add_rule(
        world,
        name="Semanal",
        trigger={"type": "schedule", "at": "09:00", "days": "chosen_days", "week_days": [weekday]},
        actions=SEND,
    )  # the tenant's time zone: America/Sao_Paulo
    nine = datetime.combine(tomorrow, time(9), tzinfo=ZoneInfo(SP)).astimezone(UTC)
    assert scan_due(nine - timedelta(minutes=1)) == 0  # last week's instant: before the save
    assert scan_due(nine + timedelta(minutes=1)) == 1
    assert scan_due(nine + timedelta(hours=2)) == 0
    assert scan_due(nine + timedelta(days=1, minutes=5)) == 0  # not a chosen day
    assert scan_due(nine + timedelta(days=7, minutes=5)) == 1
    assert len(automated(world)) == 2
