"""The CSV import page."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.components import error_callout
from whatsapp_saas.ui.crm.import_state import ImportState as S
from whatsapp_saas.ui.crm.routes import CONTACTS
from whatsapp_saas.ui.crm.widgets import CHECK_STYLE, progress_bar
from whatsapp_saas.ui.layout import shell

T = S.t
UPLOAD_ID = "crm_import_csv"
PREVIEW_COLUMNS = ("line", "name", "phone", "email", "company", "tags", "fields", "problem")


def _upload() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["crm.import_step_upload"], size="3"),
            rx.text(T["crm.import_help"], size="2", color_scheme="gray"),
            rx.upload(
                rx.vstack(
                    rx.icon("file_spreadsheet", size=28),
                    rx.text(T["crm.import_drop"], size="2"),
                    rx.button(T["crm.import_choose"], type="button", variant="soft", size="1"),
                    align="center",
                    spacing="2",
                ),
                id=UPLOAD_ID,
                max_files=1,
                multiple=False,
                accept={"text/csv": [".csv", ".txt"]},
                max_size=upload_guard.CSV.max_bytes,
                on_drop_rejected=upload_guard.drop_rejected(T, upload_guard.CSV),
                on_drop=S.upload(rx.upload_files(upload_id=UPLOAD_ID)),
                border="1px dashed var(--gray-7)",
                border_radius="8px",
                padding="1.5em",
                width="100%",
                aria_label=T["crm.import_file"],
            ),
            width="100%",
        ),
        width="100%",
    )


def _mapping() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["crm.import_step_map"], size="3"),
            rx.text(S.file_name, " — ", S.summary, size="2", data_testid="crm-import-summary"),
            rx.flex(
                rx.foreach(
                    S.columns,
                    lambda c: rx.vstack(
                        rx.el.label(
                            c["header"], html_for="crm-map-" + c["index"], class_name="field-label"
                        ),
                        rx.el.select(
                            rx.el.option(T["crm.target.ignore"], value=""),
                            rx.foreach(
                                S.targets, lambda t: rx.el.option(t["label"], value=t["id"])
                            ),
                            id="crm-map-" + c["index"],
                            value=c["target"],
                            on_change=lambda v: S.set_target(c["index"], v),
                            class_name="native-select",
                        ),
                        spacing="1",
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            width="100%",
        ),
        width="100%",
    )


def _preview() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["crm.import_step_preview"], size="3"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[
                                rx.table.column_header_cell(T[f"crm.preview.{c}"])
                                for c in PREVIEW_COLUMNS
                            ]
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            S.preview,
                            lambda r: rx.table.row(
                                *[
                                    rx.table.cell(
                                        r[c],
                                        color=rx.cond(c == "problem", "var(--red-11)", "inherit"),
                                    )
                                    for c in PREVIEW_COLUMNS
                                ],
                                data_testid="crm-preview-row",
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            width="100%",
        ),
        width="100%",
    )


def _start() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["crm.import_step_duplicates"], size="3"),
            rx.radio_group.root(
                rx.flex(
                    *[
                        rx.el.label(
                            rx.radio_group.item(value=v),
                            T[f"crm.dup_policy.{v}"],
                            style=CHECK_STYLE,
                        )
                        for v in ("merge", "skip", "create")
                    ],
                    direction="column",
                    spacing="2",
                ),
                value=S.duplicates,
                on_change=S.set_duplicates,
                aria_label=T["crm.import_step_duplicates"],
            ),
            rx.button(
                rx.icon("play", size=16),
                T["crm.import_start"],
                on_click=S.start,
                aria_label=T["crm.import_start"],
            ),
            width="100%",
        ),
        width="100%",
    )


def _count(key: str) -> rx.Component:
    return rx.box(
        rx.text(T[f"crm.count.{key}"], size="1", color_scheme="gray", as_="span"),
        rx.text(
            S.counts.get(key, 0),
            size="2",
            weight="bold",
            as_="span",
            margin_left="0.4em",
            data_testid=f"crm-count-{key}",
        ),
        padding_x="0.6em",
        border_radius="999px",
        background="var(--gray-3)",
    )


def _progress() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(
                rx.cond(S.finished, T["crm.import_report"], T["crm.import_running"]), size="3"
            ),
            progress_bar(S.percent, "crm-import-progress", "crm.import_running"),
            rx.flex(
                *[_count(k) for k in ("created", "merged", "skipped", "failed")],
                spacing="2",
                wrap="wrap",
                aria_live="polite",
            ),
            rx.cond(S.running, rx.moment(interval=1000, on_change=S.poll, display="none")),
            rx.cond(
                S.finished,
                rx.hstack(
                    rx.cond(
                        S.counts.get("failed", 0) > 0,
                        rx.button(
                            rx.icon("download", size=16),
                            T["crm.import_download_failed"],
                            on_click=S.download_failed,
                            variant="soft",
                        ),
                    ),
                    rx.button(T["crm.import_another"], on_click=S.start_over, variant="soft"),
                    rx.link(rx.button(T["crm.back"], as_="span"), href=CONTACTS),
                    wrap="wrap",
                ),
            ),
            width="100%",
        ),
        width="100%",
    )


def import_page() -> rx.Component:
    content = rx.vstack(
        rx.cond(S.status == "", _upload()),
        rx.cond(
            S.status == "draft",
            rx.vstack(_mapping(), _preview(), _start(), width="100%", spacing="3"),
        ),
        rx.cond((S.status != "") & (S.status != "draft"), _progress()),
        width="100%",
        spacing="3",
    )
    return shell(
        rx.link(
            rx.hstack(rx.icon("arrow_left", size=14), T["crm.back"], align="center"),
            href=CONTACTS,
            size="2",
        ),
        error_callout(S.error),
        rx.cond(
            S.is_manager, content, rx.callout(T["error.permission_denied"], color_scheme="amber")
        ),
        title=T["crm.import_title"],
    )
