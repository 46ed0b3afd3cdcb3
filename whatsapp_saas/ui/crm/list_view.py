"""The Contacts page: search, filters, segments, bulk actions and one page of contacts."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.crm.export import CORE_COLUMNS
from whatsapp_saas.ui import routes as app_routes
from whatsapp_saas.ui.components import error_callout, success_callout
from whatsapp_saas.ui.crm import routes
from whatsapp_saas.ui.crm.list_state import ContactsState as S
from whatsapp_saas.ui.crm.widgets import (
    CHECK_STYLE,
    avatar,
    field_error,
    fixed_select,
    labelled,
    native_select,
    progress_bar,
    tag_badge,
)
from whatsapp_saas.ui.dates import local_time
from whatsapp_saas.ui.layout import shell

CAMPAIGN_FOR_SEGMENT = f"{app_routes.SCHEDULING}?tab=campaigns&segment="
T = S.t
YES_NO = [("", "crm.any"), ("yes", "crm.yes"), ("no", "crm.no")]
BULK_ACTIONS = [
    ("tag", "crm.bulk_tag"), ("untag", "crm.bulk_untag"), ("owner", "crm.bulk_owner"),
    ("field", "crm.bulk_field"), ("export", "crm.bulk_export"),
    ("campaign", "crm.bulk_campaign"), ("delete", "crm.bulk_delete"),
]  # fmt: skip


def _header_buttons() -> list[rx.Component]:
    return [
        rx.spacer(),
        rx.button(
            rx.icon("user_plus", size=16),
            T["crm.new_contact"],
            on_click=S.set_new_open(True),
            aria_label=T["crm.new_contact"],
        ),
        rx.link(
            rx.button(
                rx.icon("upload", size=16),
                T["crm.import_csv"],
                variant="soft",
                aria_label=T["crm.import_csv"],
                as_="span",
            ),
            href=routes.IMPORT,
        ),
        rx.cond(
            S.is_manager,
            rx.link(
                rx.button(
                    rx.icon("sliders_horizontal", size=16),
                    T["crm.setup"],
                    variant="soft",
                    as_="span",
                ),
                href=routes.SETUP,
            ),
        ),
    ]


def _search() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=T["crm.search_placeholder"],
            aria_label=T["crm.search_placeholder"],
            value=S.search,
            on_change=S.set_search.debounce(300),
            type="search",
            id="crm-search",
            flex="1 1 240px",
            min_width="0",
        ),
        native_select(
            "crm-segment",
            "segment",
            S.segment_options,
            empty_key="crm.all_contacts",
            value=S.filters.get("segment_id", ""),
            on_change=S.use_segment,
            aria_label=T["crm.segment"],
        ),
        rx.cond(
            S.filters.get("segment_id", "") != "",
            rx.button(
                rx.icon("megaphone", size=16),
                T["crm.start_campaign"],
                variant="soft",
                # The campaign form, with this segment as its audience.
                on_click=rx.redirect(
                    CAMPAIGN_FOR_SEGMENT + S.filters.get("segment_id", "").to(str)
                ),
                data_testid="crm-start-campaign",
            ),
        ),
        rx.button(
            rx.icon("download", size=16),
            T["crm.export"],
            variant="soft",
            on_click=S.export_all,
            aria_label=T["crm.export"],
        ),
        width="100%",
        wrap="wrap",
        spacing="2",
    )


def _date_pair(prefix: str, key: str) -> rx.Component:
    return labelled(
        key,
        f"crm-f-{prefix}_from",
        rx.hstack(
            rx.input(
                type="date",
                id=f"crm-f-{prefix}_from",
                name=f"{prefix}_from",
                aria_label=T["crm.from"],
            ),
            rx.input(
                type="date", id=f"crm-f-{prefix}_to", name=f"{prefix}_to", aria_label=T["crm.to"]
            ),
            spacing="1",
        ),
    )


def _filters() -> rx.Component:
    grid = rx.flex(
        labelled("crm.tag", "crm-f-tag", native_select("crm-f-tag", "tag_id", S.tag_options)),
        labelled(
            "crm.owner",
            "crm-f-owner",
            rx.el.select(
                rx.el.option(T["crm.any"], value=""),
                rx.el.option(T["crm.owner_me"], value="me"),
                rx.el.option(T["crm.owner_none"], value="none"),
                rx.foreach(S.owner_options, lambda o: rx.el.option(o["label"], value=o["id"])),
                id="crm-f-owner",
                name="owner",
                class_name="native-select",
            ),
        ),
        labelled(
            "crm.number",
            "crm-f-number",
            native_select("crm-f-number", "number_id", S.number_options),
        ),
        labelled(
            "crm.deal_stage",
            "crm-f-stage",
            native_select("crm-f-stage", "deal_stage", S.stage_options),
        ),
        _date_pair("last", "crm.last_contact"),
        _date_pair("created", "crm.created"),
        labelled("crm.opted_out", "crm-f-opted", fixed_select("crm-f-opted", "opted_out", YES_NO)),
        labelled(
            "crm.open_conversation",
            "crm-f-open",
            fixed_select("crm-f-open", "open_conversation", YES_NO),
        ),
        spacing="3",
        wrap="wrap",
        align="end",
    )
    return rx.el.details(
        rx.el.summary(T["crm.filters"], class_name="crm-summary"),
        rx.vstack(
            rx.form(
                rx.vstack(
                    grid,
                    rx.hstack(
                        rx.button(T["crm.apply"], type="submit"),
                        rx.button(
                            T["crm.clear"], type="button", variant="soft", on_click=S.clear_filters
                        ),
                        spacing="2",
                    ),
                    spacing="3",
                ),
                on_submit=S.apply_filters,
                id="crm-filter-form",
            ),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="segment_name",
                        id="crm-segment-name",
                        placeholder=T["crm.segment_name"],
                        aria_label=T["crm.segment_name"],
                        max_length=80,
                    ),
                    rx.el.label(
                        rx.el.input(type="checkbox", name="shared"),
                        T["crm.segment_shared"],
                        style=CHECK_STYLE,
                    ),
                    rx.button(T["crm.save_segment"], type="submit", variant="soft"),
                    wrap="wrap",
                    spacing="2",
                    align="center",
                ),
                on_submit=S.save_segment,
                reset_on_submit=True,
            ),
            _segment_chips(),
            spacing="3",
            padding_top="0.75em",
        ),
        class_name="crm-details",
    )


def _segment_chips() -> rx.Component:
    return rx.flex(
        rx.foreach(
            S.segment_options,
            lambda s: rx.badge(
                rx.icon(rx.cond(s["shared"] == "yes", "users", "user"), size=12),
                s["label"],
                rx.icon_button(
                    rx.icon("x", size=10),
                    size="1",
                    variant="ghost",
                    on_click=S.delete_segment(s["id"]),
                    aria_label=T["crm.delete_segment"],
                ),
                variant="surface",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _bulk_bar() -> rx.Component:
    columns = rx.el.details(
        rx.el.summary(T["crm.export_columns"], class_name="crm-summary"),
        rx.flex(
            *[
                rx.el.label(
                    rx.el.input(type="checkbox", name=f"col-{c}", default_checked=True),
                    T[f"crm.col_{c}"],
                    style=CHECK_STYLE,
                )
                for c in CORE_COLUMNS
            ],
            rx.foreach(
                S.field_options,
                lambda f: rx.el.label(
                    rx.el.input(type="checkbox", name="col-field:" + f["id"]),
                    f["label"],
                    style=CHECK_STYLE,
                ),
            ),
            spacing="2",
            wrap="wrap",
        ),
    )
    return rx.cond(
        S.selection_count > 0,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.hstack(
                        rx.text(
                            T["crm.selected"].replace("{count}", S.selection_count.to_string()),
                            weight="bold",
                            data_testid="crm-selected",
                        ),
                        rx.cond(
                            S.total > S.rows.length(),
                            rx.button(
                                rx.cond(
                                    S.all_matching,
                                    T["crm.select_page_only"],
                                    T["crm.select_all_matching"].replace("{count}", S.total_label),
                                ),
                                type="button",
                                variant="ghost",
                                size="1",
                                on_click=S.select_matching(~S.all_matching),
                            ),
                        ),
                        wrap="wrap",
                        align="center",
                    ),
                    rx.flex(
                        labelled(
                            "crm.action",
                            "crm-bulk-action",
                            fixed_select("crm-bulk-action", "action", BULK_ACTIONS),
                        ),
                        labelled(
                            "crm.tag",
                            "crm-bulk-tag",
                            native_select(
                                "crm-bulk-tag", "tag_id", S.tag_options, empty_key="crm.choose"
                            ),
                        ),
                        labelled(
                            "crm.owner",
                            "crm-bulk-owner",
                            native_select(
                                "crm-bulk-owner",
                                "owner_user_id",
                                S.owner_options,
                                empty_key="crm.owner_none",
                            ),
                        ),
                        labelled(
                            "crm.field",
                            "crm-bulk-field",
                            native_select(
                                "crm-bulk-field",
                                "field_key",
                                S.field_options,
                                empty_key="crm.choose",
                            ),
                        ),
                        labelled(
                            "crm.value",
                            "crm-bulk-value",
                            rx.input(id="crm-bulk-value", name="field_value"),
                        ),
                        rx.cond(
                            S.campaign_options.length() > 0,
                            labelled(
                                "crm.campaign",
                                "crm-bulk-campaign",
                                native_select(
                                    "crm-bulk-campaign",
                                    "campaign_id",
                                    S.campaign_options,
                                    empty_key="crm.campaign_none",
                                ),
                            ),
                        ),
                        rx.button(T["crm.run"], type="submit"),
                        spacing="3",
                        wrap="wrap",
                        align="end",
                    ),
                    columns,
                    spacing="2",
                ),
                on_submit=S.run_bulk,
            ),
            width="100%",
        ),
    )


def _job() -> rx.Component:
    return rx.cond(
        S.job_id != "",
        rx.vstack(
            rx.text(
                T["crm.job_progress"]
                .replace("{done}", S.job_done.to_string())
                .replace("{total}", S.job_total.to_string()),
                size="2",
            ),
            progress_bar(S.job_percent, "crm-job-progress", "crm.job_progress_label"),
            rx.cond(S.job_running, rx.moment(interval=1000, on_change=S.poll_job, display="none")),
            width="100%",
            spacing="1",
        ),
    )


def _sort_header(key: str, sort: str) -> rx.Component:
    return rx.table.column_header_cell(
        rx.button(
            T[key],
            rx.cond(
                S.sort == sort, rx.icon(rx.cond(S.descending, "arrow_down", "arrow_up"), size=12)
            ),
            variant="ghost",
            size="1",
            on_click=S.set_sort(sort),
            type="button",
        ),
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.el.input(
                type="checkbox",
                checked=S.all_matching | S.selected.contains(row["id"]),
                on_change=lambda checked: S.toggle_row(row["id"], checked),
                aria_label=T["crm.select_contact"] + " " + row["name"],
            )
        ),
        rx.table.cell(
            rx.link(
                rx.hstack(
                    avatar(row["initials"], "2"), rx.text(row["name"]), align="center", spacing="2"
                ),
                href=row["href"],
                data_testid="crm-row-name",
            )
        ),
        rx.table.cell(row["phone"], white_space="nowrap"),
        rx.table.cell(row["email"]),
        rx.table.cell(row["company"]),
        rx.table.cell(row["owner"]),
        rx.table.cell(
            rx.flex(rx.foreach(S.row_tags[row["id"]], tag_badge), spacing="1", wrap="wrap"),
            rx.cond(row["opted_out"] == "yes", rx.badge(T["crm.opted_out"], color_scheme="red")),
        ),
        rx.table.cell(local_time(row["last_contact_at"]), white_space="nowrap"),
        data_testid="crm-row",
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(
                        rx.el.input(
                            type="checkbox",
                            on_change=S.toggle_page,
                            aria_label=T["crm.select_page"],
                        )
                    ),
                    _sort_header("crm.col_name", "name"),
                    rx.table.column_header_cell(T["crm.col_phone"]),
                    rx.table.column_header_cell(T["crm.col_email"]),
                    rx.table.column_header_cell(T["crm.col_company"]),
                    rx.table.column_header_cell(T["crm.col_owner"]),
                    rx.table.column_header_cell(T["crm.col_tags"]),
                    _sort_header("crm.last_contact", "last"),
                )
            ),
            rx.table.body(rx.foreach(S.rows, _row)),
            width="100%",
            size="1",
        ),
        rx.cond(S.rows.length() == 0, rx.text(T["crm.empty"], color_scheme="gray", padding="1em")),
        width="100%",
        overflow_x="auto",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.text(
            T["crm.total"].replace("{count}", S.total_label), size="2", data_testid="crm-total"
        ),
        rx.spacer(),
        rx.button(
            rx.icon("chevron_left", size=16),
            on_click=S.go_page(-1),
            disabled=S.page <= 1,
            variant="soft",
            aria_label=T["crm.previous"],
        ),
        rx.text(S.page, size="2"),
        rx.button(
            rx.icon("chevron_right", size=16),
            on_click=S.go_page(1),
            disabled=~S.has_next,
            variant="soft",
            aria_label=T["crm.next"],
        ),
        width="100%",
        align="center",
    )


def _new_contact_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T["crm.new_contact"]),
            rx.form(
                rx.vstack(
                    labelled(
                        "crm.name",
                        "crm-new-name",
                        rx.input(id="crm-new-name", name="name", max_length=120),
                        width="100%",
                    ),
                    field_error(S.new_errors, "name", "crm-new-name"),
                    labelled(
                        "crm.phone",
                        "crm-new-phone",
                        rx.input(
                            id="crm-new-phone",
                            name="phone",
                            type="tel",
                            required=True,
                            placeholder="(11) 98888-7777",
                        ),
                        width="100%",
                    ),
                    field_error(S.new_errors, "phone", "crm-new-phone"),
                    rx.hstack(
                        rx.dialog.close(rx.button(T["crm.cancel"], type="button", variant="soft")),
                        rx.button(T["crm.save"], type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=S.create_contact,
            ),
            max_width="420px",
        ),
        open=S.new_open,
        on_open_change=S.set_new_open,
    )


def _confirm_dialog(
    title: rx.Var,
    question: rx.Var,
    confirm: rx.Component,
    on_cancel: rx.EventHandler,
    is_open: rx.Var,
) -> rx.Component:
    """A bulk action's confirmation: its question, Cancel and the action's own button."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(question),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(T["crm.cancel"], variant="soft", on_click=on_cancel)
                ),
                rx.alert_dialog.action(confirm),
                justify="end",
                spacing="2",
                margin_top="1em",
            ),
        ),
        open=is_open,
    )


def _delete_dialog() -> rx.Component:
    return _confirm_dialog(
        T["crm.delete_title"],
        S.delete_question,
        rx.button(T["crm.delete"], color_scheme="red", on_click=S.confirm_delete),
        S.cancel_delete,
        S.delete_open,
    )


def _campaign_dialog() -> rx.Component:
    return _confirm_dialog(
        T["crm.campaign_title"],
        S.campaign_question,
        rx.button(T["crm.campaign_add"], on_click=S.confirm_campaign_add),
        S.cancel_campaign_add,
        S.campaign_open,
    )


def contacts_page() -> rx.Component:
    return shell(
        error_callout(S.error),
        success_callout(S.notice),
        _search(),
        _filters(),
        _bulk_bar(),
        _job(),
        _table(),
        _pager(),
        _new_contact_dialog(),
        _delete_dialog(),
        _campaign_dialog(),
        title=T["crm.title"],
        header=_header_buttons(),
    )
