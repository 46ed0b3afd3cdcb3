"""The "Follow-ups" tab: pending follow-ups, starting one, and the tenant's preferences."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.scheduling.fields import field_message, labelled, select, with_error
from whatsapp_saas.ui.scheduling.followups_state import DAYS, FORM_ID, STEP_FIELDS
from whatsapp_saas.ui.scheduling.followups_state import FollowUpsState as F
from whatsapp_saas.ui.scheduling.schedules_state import SchedulesState as S

T = F.t


def _row(row: rx.Var) -> rx.Component:
    step = T["followup.step_of"].replace("{step}", row["step"]).replace("{total}", row["steps"])
    return rx.table.row(
        rx.table.cell(row["contact"]),
        rx.table.cell(
            rx.vstack(
                rx.text(step, size="1", color_scheme="gray"), rx.text(row["text"]), spacing="1"
            )
        ),
        rx.table.cell(row["due"], white_space="nowrap"),
        rx.table.cell(
            rx.button(
                T["followup.cancel"],
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=F.stop(row["id"]),
            )
        ),
        data_testid="followup-row",
    )


def _pending() -> rx.Component:
    headers = ("followup.col_contact", "followup.col_step", "followup.col_due", "sched.col_actions")
    return rx.cond(
        F.rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[h]) for h in headers])),
            rx.table.body(rx.foreach(F.rows, _row)),
            width="100%",
        ),
        rx.text(T["followup.empty"], color_scheme="gray"),
    )


def _step(i: int) -> rx.Component:
    return rx.hstack(
        rx.box(
            text_field(
                "followup.delay",
                f"delay_{i}",
                id=f"fu-delay-{i}",
                type_="number",
                min="0.1",
                step="0.1",
                default_value="24" if i == 0 else "",
            ),
            width="140px",
        ),
        rx.box(text_field("followup.step_text", f"step_text_{i}", id=f"fu-text-{i}"), flex="1"),
        align="end",
        width="100%",
    )


def _start_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(T["followup.new"], size="4", as_="h2"),
                rx.flex(
                    with_error(
                        select("sched.number", "number_id", "fu-number", S.numbers, required=True),
                        F.field_errors,
                        "number_id",
                        "fu-number",
                    ),
                    with_error(
                        select("sched.contact", "contact_id", "fu-contact", S.contacts),
                        F.field_errors,
                        "contact_id",
                        "fu-contact",
                    ),
                    with_error(
                        text_field("sched.phone", "phone", id="fu-phone", type_="tel"),
                        F.field_errors,
                        "phone",
                        "fu-phone",
                    ),
                    spacing="3",
                    width="100%",
                    direction=rx.breakpoints(initial="column", md="row"),
                ),
                *[_step(i) for i in range(STEP_FIELDS)],
                field_message(F.field_errors, "steps", "fu-steps"),
                rx.el.label(
                    rx.el.input(
                        type="checkbox",
                        name="business_hours_only",
                        id="fu-hours",
                        default_checked=True,
                    ),
                    rx.text(T["followup.business_hours_only"], as_="span", size="2"),
                    html_for="fu-hours",
                    display="flex",
                    gap="0.5em",
                    align_items="center",
                ),
                rx.button(T["followup.start"], type="submit"),
                spacing="3",
                width="100%",
            ),
            id=FORM_ID,
            on_submit=F.start,
            reset_on_submit=False,  # emptied by the server once saved: a refusal keeps it
        ),
        width="100%",
    )


def _day(day: int) -> rx.Component:
    return rx.hstack(
        rx.text(T[f"sched.weekday.{day}"], width="110px", flex_shrink="0", size="2"),
        labelled(
            "sched.opens",
            f"open-{day}",
            rx.input(
                id=f"open-{day}",
                name=f"open_{day}",
                type="time",
                default_value=F.prefs[f"open_{day}"],
            ),
        ),
        labelled(
            "sched.closes",
            f"close-{day}",
            rx.input(
                id=f"close-{day}",
                name=f"close_{day}",
                type="time",
                default_value=F.prefs[f"close_{day}"],
            ),
        ),
        align="end",
    )


def _prefs_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(T["sched.prefs"], size="4", as_="h2"),
                text_field(
                    "sched.stop_keywords",
                    "keywords",
                    id="stop-keywords",
                    default_value=F.prefs["keywords"],
                ),
                rx.text(T["sched.stop_keywords_help"], size="1", color_scheme="gray"),
                rx.text(T["sched.business_hours"], class_name="field-label", as_="div"),
                *[_day(d) for d in DAYS],
                rx.button(T["sched.save_prefs"], type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=F.save_prefs,
            key=F.prefs["keywords"],
        ),
        width="100%",
    )


def followups_tab() -> rx.Component:
    return rx.vstack(
        rx.text(T["followup.intro"], color_scheme="gray"),
        error_callout(F.error),
        success_callout(F.notice),
        _pending(),
        _start_form(),
        rx.cond(F.is_manager, _prefs_form()),
        spacing="4",
        width="100%",
    )
