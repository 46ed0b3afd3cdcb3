"""The Business hours tab and the Menus tab."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.automations.hours_state import DAYS
from whatsapp_saas.ui.automations.hours_state import HoursState as H
from whatsapp_saas.ui.components import error_callout, success_callout
from whatsapp_saas.ui.scheduling.fields import labelled

T = H.t


def _day(day: int) -> rx.Component:
    def part(kind: str) -> rx.Component:
        field_id = f"hours-{kind}-{day}"
        return rx.box(
            labelled(
                f"auto.hours_{kind}",
                field_id,
                rx.input(
                    id=field_id,
                    name=f"{kind}_{day}",
                    type="time",
                    default_value=H.hours[f"{kind}_{day}"],
                ),
            ),
            flex="0 0 150px",
        )

    return rx.flex(
        rx.text(T[f"auto.day.{day}"], weight="medium", width="110px", flex_shrink="0"),
        part("open"),
        part("close"),
        spacing="3",
        align="end",
        wrap="wrap",
        width="100%",
    )


def _number(key: str, name: str) -> rx.Component:
    field_id = f"hours-{name}"
    return rx.box(
        labelled(
            key,
            field_id,
            rx.input(id=field_id, name=name, type="number", min="0", default_value=H.hours[name]),
        ),
        flex="1 1 160px",
    )


def hours_tab() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                error_callout(H.hours_error),
                success_callout(H.hours_notice),
                rx.text(T["auto.hours_intro"], size="2", color_scheme="gray"),
                labelled(
                    "auto.timezone",
                    "hours-timezone",
                    rx.input(
                        id="hours-timezone", name="timezone", default_value=H.hours["timezone"]
                    ),
                ),
                *[_day(d) for d in DAYS],
                labelled(
                    "auto.holidays",
                    "hours-holidays",
                    rx.text_area(
                        id="hours-holidays",
                        name="holidays",
                        default_value=H.hours["holidays"],
                        rows="5",
                        width="100%",
                    ),
                ),
                rx.button(
                    T["auto.add_br_holidays"],
                    type="button",
                    variant="soft",
                    on_click=H.add_holidays,
                ),
                rx.el.label(
                    rx.switch(
                        id="hours-ooh",
                        name="ooh",
                        checked=H.ooh_enabled,
                        on_change=H.set_ooh_enabled,
                        aria_label=T["auto.ooh_enabled"],
                    ),
                    rx.text(T["auto.ooh_enabled"], as_="span", size="2"),
                    html_for="hours-ooh",
                    display="flex",
                    gap="0.5em",
                    align_items="center",
                ),
                labelled(
                    "auto.ooh_message",
                    "hours-ooh-message",
                    rx.text_area(
                        id="hours-ooh-message",
                        name="ooh_message",
                        default_value=H.hours["ooh_message"],
                        width="100%",
                    ),
                ),
                rx.flex(
                    _number("auto.grace", "grace"),
                    _number("auto.pause_minutes", "pause_minutes"),
                    _number("auto.hourly_cap", "hourly_cap"),
                    spacing="3",
                    wrap="wrap",
                    width="100%",
                ),
                rx.button(T["auto.save_hours"], type="submit"),
                spacing="3",
                width="100%",
            ),
            key=H.hours_key.to_string(),
            on_submit=H.save_hours,
            width="100%",
        ),
        width="100%",
    )


def menus_tab() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("construction")),
        rx.text(T["auto.menus_soon"]),
        color_scheme="amber",
        role="status",
    )
