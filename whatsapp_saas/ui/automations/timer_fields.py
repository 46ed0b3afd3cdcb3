"""The rule builder's fields for the time-based triggers (automations.timers): a wait in
minutes, or a schedule's time and days (every day, weekdays, chosen days of the week or a day of
the month). Uncontrolled inputs, read on Save (forms.rule_parts); the days select only decides
which of the extra fields shows (both stay in the form, hidden, so nothing typed is lost)."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.automations.timers import CHOSEN_DAYS, DAYS, MONTH_DAY, SCHEDULE, WEEK
from whatsapp_saas.ui.automations.state import AutomationsState as A
from whatsapp_saas.ui.scheduling.fields import field_message, label

T = A.t


def _input(key: str, name: str, value: rx.Var, **props: object) -> rx.Component:
    field_id = f"auto-{name}"
    return rx.vstack(
        label(key, field_id),
        rx.input(id=field_id, name=name, default_value=value, width="100%", **props),
        field_message(A.field_errors, name, field_id),
        spacing="1",
        width="100%",
    )


def _days() -> rx.Component:
    options = [rx.el.option(T[f"auto.days.{d}"], value=d) for d in DAYS]
    return rx.vstack(
        label("auto.days", "auto-days"),
        rx.el.select(
            *options,
            id="auto-days",
            name="days",
            class_name="native-select",
            default_value=A.trigger_days,
            on_change=A.set_trigger_days,
        ),
        field_message(A.field_errors, "days", "auto-days"),
        spacing="1",
        width="100%",
    )


def _week_days() -> rx.Component:
    """One box per day of the week (inputs ``week_mon`` … ``week_sun``), in a fieldset."""
    boxes = [
        rx.el.label(
            rx.el.input(
                type="checkbox",
                id=f"auto-week-{d}",
                name=f"week_{d}",
                default_checked=A.trigger_week_days.contains(d),
            ),
            T[f"auto.week.{d}"],
            html_for=f"auto-week-{d}",
            style={"display": "inline-flex", "gap": "4px", "alignItems": "center"},
        )
        for d in WEEK
    ]
    return rx.el.fieldset(
        rx.el.legend(T["auto.week_days"], class_name="field-label"),
        rx.flex(*boxes, spacing="3", wrap="wrap"),
        field_message(A.field_errors, "week_days", "auto-week"),
        id="auto-week",
        style={"border": "none", "padding": "0", "margin": "0"},
        display=rx.cond(A.trigger_days == CHOSEN_DAYS, "block", "none"),
        width="100%",
    )


def _month_day() -> rx.Component:
    return rx.box(
        _input("auto.month_day", "month_day", A.trigger_month_day, type="number", min=1, max=31),
        display=rx.cond(A.trigger_days == MONTH_DAY, "block", "none"),
        width="100%",
    )


def timer_fields() -> rx.Component:
    return rx.cond(
        A.trigger_type == SCHEDULE,
        rx.vstack(
            rx.flex(
                _input("auto.at", "at", A.trigger_at, placeholder="09:00"),
                _days(),
                spacing="3",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
            _week_days(),
            _month_day(),
            spacing="3",
            width="100%",
        ),
        _input("auto.minutes", "minutes", A.trigger_minutes, type="number"),
    )
