"""The "Campaigns" tab: a draft form, and one card per campaign with a live progress bar."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.scheduling.campaigns_state import CampaignsState as C
from whatsapp_saas.ui.scheduling.fields import labelled, select, status_badge, textarea
from whatsapp_saas.ui.scheduling.schedules_state import SchedulesState as S

T = C.t
CSV_UPLOAD_ID = "campaign_csv"
STATUS_COLORS = {"running": "blue", "paused": "amber", "done": "green", "cancelled": "gray"}
# Bar segments, in order, and their colours.
SEGMENTS = (
    ("queued", "var(--gray-8)"),
    ("sent", "var(--blue-9)"),
    ("delivered", "var(--teal-9)"),
    ("read", "var(--green-9)"),
    ("failed", "var(--red-9)"),
    ("opted_out", "var(--amber-9)"),
)


def _contact_picker() -> rx.Component:
    return rx.vstack(
        rx.text(T["campaign.contacts"], class_name="field-label", as_="div"),
        rx.box(
            rx.foreach(
                S.contacts,
                lambda c: rx.el.label(
                    rx.el.input(
                        type="checkbox", name="contact-" + c["id"], id="campaign-c-" + c["id"]
                    ),
                    rx.text(c["label"], as_="span", size="2"),
                    html_for="campaign-c-" + c["id"],
                    display="flex",
                    gap="0.5em",
                    align_items="center",
                ),
            ),
            max_height="160px",
            overflow_y="auto",
            width="100%",
            padding="0.5em",
            border="1px solid var(--gray-6)",
            border_radius="6px",
        ),
        spacing="1",
        width="100%",
    )


def _csv_input() -> rx.Component:
    return rx.vstack(
        labelled(
            "campaign.csv",
            "campaign-csv",
            rx.text_area(
                id="campaign-csv",
                name="campaign-csv",
                value=C.csv_text,
                on_change=C.set_csv_text,
                rows="4",
                width="100%",
                placeholder="+5511999990000, Maria",
            ),
        ),
        rx.upload(
            rx.button(
                rx.icon("upload", size=16),
                T["campaign.csv_file"],
                type="button",
                variant="soft",
                size="1",
            ),
            id=CSV_UPLOAD_ID,
            max_files=1,
            multiple=False,
            border="none",
            padding="0",
            accept={"text/csv": [".csv", ".txt"]},
            on_drop=C.load_csv_file(rx.upload_files(upload_id=CSV_UPLOAD_ID)),
        ),
        spacing="2",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(T["campaign.new"], size="4", as_="h2"),
                rx.flex(
                    text_field("campaign.name", "name", id="campaign-name", required=True),
                    select(
                        "sched.number", "number_id", "campaign-number", S.numbers, required=True
                    ),
                    gap="3",
                    width="100%",
                    direction=rx.breakpoints(initial="column", md="row"),
                ),
                textarea("campaign.text", "text", "campaign-text", required=True),
                rx.text(T["campaign.text_help"], size="1", color_scheme="gray"),
                textarea("campaign.variants", "variants", "campaign-variants", rows="3"),
                rx.text(T["campaign.variants_help"], size="1", color_scheme="gray"),
                _contact_picker(),
                _csv_input(),
                rx.button(rx.icon("megaphone", size=16), T["campaign.create"], type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=C.create,
            reset_on_submit=True,
        ),
        width="100%",
    )


def _bar(row: rx.Var) -> rx.Component:
    return rx.hstack(
        *[
            rx.box(width=row[f"{key}_pct"], background=color, height="100%")
            for key, color in SEGMENTS
        ],
        width="100%",
        height="12px",
        spacing="0",
        background="var(--gray-4)",
        border_radius="6px",
        overflow="hidden",
        role="progressbar",
        aria_label=T["campaign.progress"],
        data_testid="campaign-progress",
    )


def _counts(row: rx.Var) -> rx.Component:
    keys = ("pending", "queued", "sent", "delivered", "read", "failed", "opted_out", "cancelled")
    return rx.flex(
        *[
            rx.hstack(
                rx.text(T[f"campaign.count.{k}"], size="1", color_scheme="gray"),
                rx.text(row[k], size="1", weight="bold", data_testid=f"count-{k}"),
                spacing="1",
            )
            for k in keys
        ],
        gap="3",
        wrap="wrap",
    )


def _controls(row: rx.Var) -> rx.Component:
    def button(key: str, action: str, flag: str, **props: object) -> rx.Component:
        return rx.cond(
            row[flag] == "yes",
            rx.button(
                T[key], size="1", variant="soft", on_click=C.control(row["id"], action), **props
            ),
        )

    return rx.hstack(
        button("campaign.start", "start", "can_start"),
        button("campaign.pause", "pause", "can_pause"),
        button("campaign.resume", "resume", "can_resume"),
        button("campaign.cancel", "cancel", "can_cancel", color_scheme="red"),
        spacing="2",
    )


def _card(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(row["name"], size="3", as_="h3"),
                status_badge(T[row["status_key"]], row["status"], STATUS_COLORS),
                rx.text(
                    T["campaign.recipients"].replace("{count}", row["total"]),
                    size="2",
                    color_scheme="gray",
                ),
                rx.spacer(),
                _controls(row),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            _bar(row),
            _counts(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="campaign-card",
    )


def _csv_errors() -> rx.Component:
    return rx.cond(
        C.csv_errors.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text(
                    T["campaign.csv_errors"].replace("{count}", C.csv_errors.length().to_string())
                ),
                rx.foreach(
                    C.csv_errors, lambda e: rx.text(e, size="1", data_testid="csv-row-error")
                ),
                spacing="1",
            ),
            icon="triangle_alert",
            color_scheme="amber",
            width="100%",
        ),
    )


def campaigns_tab() -> rx.Component:
    return rx.vstack(
        error_callout(C.error),
        success_callout(C.notice),
        _csv_errors(),
        rx.cond(C.is_manager, _form()),
        rx.cond(
            C.rows.length() > 0,
            rx.vstack(rx.foreach(C.rows, _card), width="100%"),
            rx.text(T["campaign.empty"], color_scheme="gray"),
        ),
        # A 2 s client-side timer while something moves: live counts, and no polling at all
        # once the page is closed.
        rx.cond(C.live, rx.moment(interval=2000, on_change=C.tick, display="none")),
        spacing="4",
        width="100%",
    )
