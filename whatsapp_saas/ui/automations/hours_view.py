"""The Business hours tab (the Menus tab is menus_view.py)."""

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


def safety_card() -> rx.Component:
    """The bot guard (automations.botguard): its own form, so saving it leaves the hours alone."""
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(T["auto.safety"], size="4", as_="h2"),
                error_callout(H.safety_error),
                success_callout(H.safety_notice),
                rx.text(T["auto.safety_intro"], size="2", color_scheme="gray"),
                labelled(
                    "auto.bot_ignore",
                    "safety-ignore",
                    rx.text_area(
                        id="safety-ignore",
                        name="bot_ignore",
                        default_value=H.hours["bot_ignore"],
                        rows="4",
                        width="100%",
                        placeholder="+55 11 98765-4321",
                    ),
                ),
                rx.box(
                    labelled(
                        "auto.bot_per_minute",
                        "safety-per-minute",
                        rx.input(
                            id="safety-per-minute",
                            name="bot_per_minute",
                            type="number",
                            min="0",
                            default_value=H.hours["bot_per_minute"],
                        ),
                    ),
                    max_width="360px",
                    width="100%",
                ),
                rx.button(T["auto.save_safety"], type="submit"),
                spacing="3",
                width="100%",
            ),
            key=H.safety_key.to_string(),
            on_submit=H.save_safety,
            width="100%",
        ),
        width="100%",
    )


def hours_tab() -> rx.Component:
    return rx.vstack(_hours_card(), safety_card(), spacing="3", width="100%")


def _hours_for_option(option: rx.Var) -> rx.Component:
    """ "Company", "Number: <name>", "Department: <name>", in the page's language."""
    template = T["auto.hours_for." + option["kind"].to(str)].to(str)
    return rx.el.option(template.replace("{name}", option["name"]), value=option["id"])


def _hours_for() -> rx.Component:
    """Whose hours the form below edits, and whether they are the company's."""
    own = (H.hours_for != "company") & ~H.uses_company
    return rx.vstack(
        rx.box(
            labelled(
                "auto.hours_for_label",
                "hours-for",
                rx.el.select(
                    rx.foreach(H.hours_for_options, _hours_for_option),
                    id="hours-for",
                    name="hours_for",  # the form's data ignores it: save_hours reads the state
                    value=H.hours_for,
                    on_change=H.choose_hours_for,
                    class_name="native-select",
                ),
            ),
            max_width="420px",
            width="100%",
        ),
        rx.cond(
            H.uses_company,
            rx.callout(
                T["auto.uses_company_hours"],
                icon="info",
                color_scheme="gray",
                size="1",
                width="100%",
                data_testid="uses-company-hours",
            ),
        ),
        rx.cond(
            own,
            rx.button(
                T["auto.use_company_hours"],
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=H.use_company_hours,
            ),
        ),
        spacing="2",
        width="100%",
    )


def _company_only() -> rx.Component:
    """The reply and the pauses are the company's, whichever hours the form edits."""
    return rx.cond(
        H.hours_for == "company",
        rx.vstack(
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
            spacing="3",
            width="100%",
        ),
        rx.text(T["auto.company_reply_note"], size="2", color_scheme="gray"),
    )


def _hours_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                error_callout(H.hours_error),
                success_callout(H.hours_notice),
                _hours_for(),
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
                _company_only(),
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
