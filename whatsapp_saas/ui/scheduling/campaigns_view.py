"""The "Campaigns" tab: a draft form, and one card per campaign with a live progress bar."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.scheduling.campaigns_state import FORM_ID
from whatsapp_saas.ui.scheduling.campaigns_state import CampaignsState as C
from whatsapp_saas.ui.scheduling.fields import (
    field_message,
    labelled,
    select,
    status_badge,
    textarea,
    with_error,
)
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


def _audience() -> rx.Component:
    """Who gets it: the contacts ticked below and the CSV, plus a saved segment's contacts
    (read when the campaign starts, without the opted-out)."""
    return rx.vstack(
        rx.el.label(T["campaign.audience"], html_for="campaign-audience", class_name="field-label"),
        rx.el.select(
            rx.el.option(T["campaign.audience_picked"], value=""),
            rx.foreach(C.segments, lambda s: rx.el.option(s["name"], value=s["id"])),
            id="campaign-audience",
            name="segment_id",  # the state's own copy (C.audience) is what create reads
            value=C.audience,
            on_change=C.set_audience,
            class_name="native-select",
            width="100%",
        ),
        rx.text(T["campaign.audience_help"], size="1", color_scheme="gray"),
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
        rx.cond(
            C.csv_error != "",
            rx.text(
                C.csv_error, role="alert", size="2", color_scheme="red", id="campaign-csv-error"
            ),
        ),
        rx.hstack(
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
                max_size=upload_guard.CSV.max_bytes,
                on_drop_rejected=upload_guard.drop_rejected(T, upload_guard.CSV),
                on_drop=C.load_csv_file(rx.upload_files(upload_id=CSV_UPLOAD_ID)),
            ),
            rx.button(
                rx.icon("eye", size=16),
                T["campaign.csv_preview"],
                type="button",
                variant="soft",
                size="1",
                on_click=C.preview_csv,
            ),
            spacing="2",
            wrap="wrap",
        ),
        _csv_preview(),
        spacing="2",
        width="100%",
    )


def _csv_preview() -> rx.Component:
    headers = ("campaign.csv_col_line", "campaign.csv_col_phone", "campaign.csv_col_name")
    return rx.cond(
        C.csv_summary != "",
        rx.vstack(
            rx.text(T["campaign.csv_preview_title"], weight="bold", size="2"),
            rx.text(C.csv_summary, size="2", data_testid="csv-summary"),
            rx.table.root(
                rx.table.header(
                    rx.table.row(*[rx.table.column_header_cell(T[h]) for h in headers])
                ),
                rx.table.body(
                    rx.foreach(
                        C.csv_preview,
                        lambda r: rx.table.row(
                            rx.table.cell(r["line"]),
                            rx.table.cell(r["phone"], white_space="nowrap"),
                            rx.table.cell(r["name"]),
                            data_testid="csv-preview-row",
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            spacing="1",
            width="100%",
            data_testid="csv-preview",
        ),
    )


def _form() -> rx.Component:
    errors = C.field_errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(T["campaign.new"], size="4", as_="h2"),
                rx.flex(
                    with_error(
                        text_field("campaign.name", "name", id="campaign-name", required=True),
                        errors, "name", "campaign-name",
                    ),
                    with_error(
                        select(
                            "sched.number", "number_id", "campaign-number", S.numbers,
                            required=True, on_change=C.pick_number,
                        ),
                        errors, "number_id", "campaign-number",
                    ),
                    spacing="3",
                    width="100%",
                    direction=rx.breakpoints(initial="column", md="row"),
                ),
                with_error(
                    textarea("campaign.text", "text", "campaign-text", required=True),
                    errors, "text", "campaign-text",
                ),
                rx.text(T["campaign.text_help"], size="1", color_scheme="gray"),
                with_error(
                    textarea("campaign.variants", "variants", "campaign-variants", rows="3"),
                    errors, "variants", "campaign-variants",
                ),
                rx.text(T["campaign.variants_help"], size="1", color_scheme="gray"),
                _audience(),
                _contact_picker(),
                _csv_input(),
                field_message(errors, "recipients", "campaign-recipients"),
                rx.button(rx.icon("megaphone", size=16), T["campaign.create"], type="submit"),
                spacing="3",
                width="100%",
            ),
            id=FORM_ID,
            on_submit=C.create,
            reset_on_submit=False,  # emptied by the server once saved: a refusal keeps it
        ),
        width="100%",
    )  # fmt: skip


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
    """Each count as "Label  12", in its own pill, so numbers never run into each other."""
    keys = ("pending", "queued", "sent", "delivered", "read", "failed", "opted_out", "cancelled")
    return rx.flex(
        *[
            rx.box(
                rx.text(T[f"campaign.count.{k}"], size="1", color_scheme="gray", as_="span"),
                rx.text(
                    row[k], size="2", weight="bold", as_="span", data_testid=f"count-{k}",
                    margin_left="0.4em",
                ),
                padding_x="0.6em",
                padding_y="0.15em",
                border_radius="999px",
                background="var(--gray-3)",
                white_space="nowrap",
                data_testid=f"counter-{k}",
            )
            for k in keys
        ],
        spacing="2",
        wrap="wrap",
        aria_live="polite",
    )  # fmt: skip


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
        rx.cond(
            C.is_manager,
            _form(),
            rx.callout(T["campaign.managers_only"], icon="lock", width="100%"),
        ),
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
