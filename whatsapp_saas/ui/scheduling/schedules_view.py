"""The "Scheduled messages" tab: a form to schedule, the list, edit and cancel."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.components import error_callout, success_callout, text_field, upload_button
from whatsapp_saas.ui.scheduling.fields import (
    date_time,
    labelled,
    recurrence_select,
    select,
    status_badge,
    textarea,
    with_error,
)
from whatsapp_saas.ui.scheduling.schedules_state import FORM_ID, UPLOAD_ID
from whatsapp_saas.ui.scheduling.schedules_state import SchedulesState as S

T = S.t
# The main form's field errors, hidden while the edit dialog (which shows its own) is open.
ERRORS = rx.cond(S.edit_id == "", S.field_errors, {})
STATUS_COLORS = {"pending": "blue", "sent": "green", "late": "amber", "failed": "red"}


def _attachment() -> rx.Component:
    return labelled(
        "sched.attachment",
        "sched-attachment",
        rx.hstack(
            upload_button(UPLOAD_ID, T["sched.attachment"], upload_guard.MEDIA, S.upload),
            rx.cond(
                S.attachment != "",
                rx.hstack(
                    rx.text(S.attachment, size="2", data_testid="sched-attachment-name"),
                    rx.icon_button(
                        rx.icon("x", size=14),
                        size="1",
                        variant="ghost",
                        type="button",
                        on_click=S.clear_attachment,
                        aria_label=T["sched.cancel_edit"],
                    ),
                    align="center",
                ),
            ),
            align="center",
        ),
    )


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(T["sched.new"], size="4", as_="h2"),
                rx.flex(
                    with_error(
                        select(
                            "sched.number", "number_id", "sched-number", S.numbers, required=True
                        ),
                        ERRORS, "number_id", "sched-number",
                    ),
                    with_error(
                        select("sched.contact", "contact_id", "sched-contact", S.contacts),
                        ERRORS, "contact_id", "sched-contact",
                    ),
                    with_error(
                        text_field(
                            "sched.phone",
                            "phone",
                            id="sched-phone",
                            type_="tel",
                            placeholder="+55 11 99999-0000",
                        ),
                        ERRORS, "phone", "sched-phone",
                    ),
                    spacing="3",
                    width="100%",
                    direction=rx.breakpoints(initial="column", md="row"),
                ),
                rx.flex(
                    with_error(date_time("sched"), ERRORS, "when", "sched-when"),
                    recurrence_select("sched-recurrence"),
                    spacing="3",
                    width="100%",
                    direction=rx.breakpoints(initial="column", md="row"),
                ),
                with_error(
                    textarea(
                        "sched.text", "text", "sched-text", placeholder=T["sched.text_placeholder"]
                    ),
                    ERRORS, "text", "sched-text",
                ),
                _attachment(),
                rx.button(rx.icon("calendar_plus", size=16), T["sched.save"], type="submit"),
                spacing="3",
                width="100%",
            ),
            id=FORM_ID,
            on_submit=S.create,
            reset_on_submit=False,  # emptied by the server once saved: a refusal keeps it
        ),
        width="100%",
    )  # fmt: skip


def _cancel_button(row: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(T["sched.cancel"], size="1", variant="soft", color_scheme="red")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T["sched.cancel"]),
            rx.alert_dialog.description(T["sched.confirm_cancel"]),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(T["sched.keep"], variant="soft")),
                rx.alert_dialog.action(
                    rx.button(T["sched.cancel"], color_scheme="red", on_click=S.cancel(row["id"]))
                ),
                justify="end",
            ),
        ),
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["when"], white_space="nowrap"),
        rx.table.cell(row["to"]),
        rx.table.cell(
            rx.vstack(
                rx.text(rx.cond(row["preview"] != "", row["preview"], T["sched.media_only"])),
                rx.cond(row["media"] != "", rx.text(row["media"], size="1", color_scheme="gray")),
                rx.cond(
                    row["reason"] != "",
                    rx.text(
                        rx.cond(T[row["reason"]], T[row["reason"]], row["reason"]),
                        size="1",
                        color_scheme="red",
                    ),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(T[row["recurrence_key"]]),
        rx.table.cell(status_badge(T[row["status_key"]], row["status"], STATUS_COLORS)),
        rx.table.cell(
            rx.cond(
                row["pending"] == "yes",
                rx.hstack(
                    rx.button(
                        T["sched.edit"], size="1", variant="soft", on_click=S.start_edit(row["id"])
                    ),
                    _cancel_button(row),
                ),
            )
        ),
        data_testid="schedule-row",
    )


def _table() -> rx.Component:
    headers = (
        "sched.col_when",
        "sched.col_to",
        "sched.col_message",
        "sched.col_repeat",
        "sched.col_status",
        "sched.col_actions",
    )
    return rx.cond(
        S.rows.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[h]) for h in headers])),
            rx.table.body(rx.foreach(S.rows, _row)),
            width="100%",
        ),
        rx.text(T["sched.empty"], color_scheme="gray"),
    )


def _edit_body(row: rx.Var) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.dialog.title(T["sched.edit"]),
            error_callout(S.error),
            with_error(
                date_time("edit", row["date"], row["time"]), S.field_errors, "when", "edit-when"
            ),
            recurrence_select("edit-recurrence", row["recurrence"]),
            with_error(
                textarea("sched.text", "text", "edit-text", default_value=row["text"]),
                S.field_errors,
                "text",
                "edit-text",
            ),
            rx.hstack(
                rx.dialog.close(rx.button(T["sched.cancel_edit"], variant="soft", type="button")),
                rx.button(T["sched.save_changes"], type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="3",
        ),
        on_submit=S.save_edit,
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.foreach(S.rows, lambda row: rx.cond(row["id"] == S.edit_id, _edit_body(row))),
            max_width="480px",
        ),
        open=S.edit_id != "",
        on_open_change=S.close_edit,
    )


def schedules_tab() -> rx.Component:
    return rx.vstack(
        rx.cond(S.numbers.length() == 0, rx.callout(T["sched.no_numbers"], icon="info")),
        error_callout(rx.cond(S.edit_id == "", S.error, "")),
        success_callout(S.notice),
        _form(),
        rx.hstack(
            rx.checkbox(
                T["sched.show_all"],
                checked=S.show_all,
                on_change=S.toggle_show_all,
                id="sched-show-all",
            ),
            justify="end",
            width="100%",
        ),
        _table(),
        _edit_dialog(),
        spacing="4",
        width="100%",
    )
