"""The WhatsApp page: numbers with live state, actions, and the QR / pairing-code dialog."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from whatsapp_saas.ui.components import error_callout, text_field
from whatsapp_saas.ui.layout import shell
from whatsapp_saas.ui.realtime import TenantFeed
from whatsapp_saas.ui.whatsapp.linking import LinkingFeed
from whatsapp_saas.ui.whatsapp.state import WhatsAppState as S
from whatsapp_saas.ui.whatsapp.view import REASON_PARAMS

T = S.t
STATE_COLORS = {
    "connected": "green",
    "waiting_qr": "amber",
    "connecting": "blue",
    "reconnecting": "orange",
    "failed": "red",
    "logged_out": "red",
    "confirm_phone": "amber",
}


def state_badge(row: rx.Var) -> rx.Component:
    color = rx.match(row["state"], *STATE_COLORS.items(), "gray")
    return rx.badge(T[row["state_key"]], color_scheme=color, data_testid="number-state")


def reason_text(row: rx.Var) -> rx.Var:
    """The stored reason code, translated, with its parameters filled in."""
    text = T[row["reason_key"]]
    for param in REASON_PARAMS:
        text = text.replace("{" + param + "}", row[f"reason_{param}"])
    return text


def _manage_button(label: str, handler: EventSpec, **props: object) -> rx.Component:
    return rx.button(T[label], size="1", on_click=handler, **props)


def _connection_buttons(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["state"] == "confirm_phone",
        _manage_button("wa.review_phone", S.open_dialog(row["id"]), color_scheme="amber"),
        rx.cond(
            row["wants_connection"] == "yes",
            rx.fragment(
                rx.cond(
                    row["state"] == "waiting_qr",
                    _manage_button("wa.connect", S.open_dialog(row["id"])),
                ),
                _manage_button("wa.disconnect", S.disconnect(row["id"]), variant="soft"),
            ),
            _manage_button("wa.connect", S.connect(row["id"])),
        ),
    )


def _delete_button(row: rx.Var) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(T["wa.delete"], size="1", variant="ghost", color_scheme="red")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T["wa.delete"]),
            rx.alert_dialog.description(T["wa.confirm_delete"]),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(T["wa.cancel"], variant="soft")),
                rx.alert_dialog.action(
                    rx.button(T["wa.delete"], color_scheme="red", on_click=S.delete(row["id"]))
                ),
                justify="end",
            ),
        ),
    )


def _actions(row: rx.Var) -> rx.Component:
    """Managers only: agents see the numbers and their state, not the buttons."""
    return rx.cond(
        S.is_manager,
        rx.hstack(
            _connection_buttons(row),
            rx.cond(
                row["phone"] != "",
                _manage_button(
                    "wa.logout", S.logout(row["id"]), variant="soft", color_scheme="orange"
                ),
            ),
            _manage_button("wa.rename", S.start_rename(row["id"]), variant="ghost"),
            _delete_button(row),
            spacing="2",
            wrap="wrap",
        ),
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["name"], weight="medium")),
        rx.table.cell(
            rx.cond(
                row["phone"] != "",
                rx.text(row["phone"], white_space="nowrap"),
                rx.text(T["wa.not_linked"], color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.vstack(
                state_badge(row),
                rx.cond(
                    row["reason_key"] != "",
                    rx.text(
                        reason_text(row),
                        size="1",
                        color_scheme="gray",
                        title=row["reason_detail"],
                        data_testid="number-reason",
                    ),
                ),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.cond(
                row["state_at"] != "",
                rx.moment(
                    row["state_at"],
                    from_now=True,
                    tz=S.user_timezone,
                    locale=rx.cond(S.lang == "en", "en", "pt-br"),  # "há 2 minutos"
                ),
            )
        ),
        rx.table.cell(_actions(row)),
        data_testid="number-row",
    )


def _numbers_table() -> rx.Component:
    return rx.cond(
        TenantFeed.numbers.length() > 0,
        rx.box(_table(), overflow_x="auto", width="100%"),  # narrow screens scroll sideways
        rx.text(T["wa.empty"], color_scheme="gray"),
    )


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                *[
                    rx.table.column_header_cell(T[k])
                    for k in ("auth.name", "wa.phone", "wa.state", "wa.since", "users.actions")
                ]
            )
        ),
        rx.table.body(rx.foreach(TenantFeed.numbers, _row)),
        width="100%",
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(
                text_field(
                    "auth.name",
                    "name",
                    id="number-name",
                    placeholder=T["wa.name_placeholder"],
                    required=True,
                ),
                min_width="240px",
            ),
            rx.button(rx.icon("plus", size=16), T["wa.add"], type="submit"),
            align="end",
            wrap="wrap",  # a phone puts the button under the name field
        ),
        on_submit=S.add_number,
        reset_on_submit=True,
    )


def _qr_code(code: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.image(
            src=code["qr_image"],
            alt="QR code",
            width="264px",
            height="264px",
            data_testid="qr-image",
        ),
        rx.hstack(
            rx.text(T["wa.qr_expires"], size="2"),
            rx.text(
                data_countdown_until=code["qr_expires_ms"],
                size="2",
                weight="bold",
                data_testid="qr-countdown",
            ),
            rx.text(T["wa.seconds"], size="2"),
            spacing="1",
        ),
        rx.text(T["wa.qr_help"], size="2", color_scheme="gray"),
        align="center",
    )


def _qr_panel(row: rx.Var) -> rx.Component:
    """The code comes from the managers-only feed; the tenant feed never carries one."""
    return rx.cond(
        row["state"] == "waiting_qr",
        rx.foreach(
            LinkingFeed.qr_codes,
            lambda code: rx.cond(code["id"] == row["id"], _qr_code(code)),
        ),
        rx.hstack(rx.spinner(), rx.text(T["wa.qr_waiting"])),
    )


def _ended_panel(row: rx.Var) -> rx.Component:
    """No session is trying any more (the code expired, a failure): say why, offer a new one."""
    return rx.vstack(
        rx.callout(
            rx.cond(row["reason_key"] != "", reason_text(row), T["wa.no_code"]),
            icon="timer_off",
            color_scheme="amber",
            width="100%",
            data_testid="qr-ended",
        ),
        rx.button(rx.icon("refresh_cw", size=16), T["wa.new_code"], on_click=S.connect(row["id"])),
        align="center",
        width="100%",
    )


def _confirm_phone_panel(row: rx.Var) -> rx.Component:
    """Relinking to a different phone: what changes, and the choice."""
    return rx.vstack(
        rx.callout(
            T["wa.confirm_scanned"].replace("{new}", row["reason_new"]),
            icon="smartphone",
            color_scheme="amber",
            width="100%",
            data_testid="confirm-phone",
        ),
        rx.cond(
            row["reason_old"] != "",
            rx.text(T["wa.confirm_was"].replace("{old}", row["reason_old"]), size="2"),
        ),
        rx.cond(
            row["reason_other"] != "",
            rx.text(T["wa.confirm_other"].replace("{other}", row["reason_other"]), size="2"),
        ),
        rx.text(T["wa.confirm_history"], size="2", color_scheme="gray"),
        rx.hstack(
            rx.button(T["wa.confirm_cancel"], variant="soft", on_click=S.logout(row["id"])),
            rx.button(
                T["wa.confirm_use"].replace("{new}", row["reason_new"]),
                on_click=S.confirm_new_phone(row["id"]),
            ),
            justify="end",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def _linking_panel(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.cond(S.pairing_mode, _pairing_panel(), _qr_panel(row)),
        rx.button(
            rx.cond(S.pairing_mode, T["wa.use_qr"], T["wa.use_pairing"]),
            variant="ghost",
            on_click=S.toggle_pairing,
        ),
        align="center",
        width="100%",
    )


def _pairing_panel() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.box(
                    text_field(
                        "wa.pair_phone",
                        "phone",
                        id="pair-phone",
                        type_="tel",
                        placeholder="+55 11 99999-0000",
                        required=True,
                    ),
                    flex="1",
                ),
                rx.button(T["wa.get_code"], type="submit", loading=S.pairing_busy),
                align="end",
            ),
            on_submit=S.request_pairing_code,
            reset_on_submit=False,
        ),
        rx.cond(
            S.pairing_code != "",
            rx.vstack(
                rx.text(T["wa.pair_help"], size="2"),
                rx.code(S.pairing_code, size="8", data_testid="pairing-code"),
            ),
        ),
        width="100%",
    )


def _connected_panel(row: rx.Var) -> rx.Component:
    text = T["wa.connected_as"].replace("{phone}", row["phone"]).replace("{name}", row["push_name"])
    return rx.callout(text, icon="circle_check", color_scheme="green", data_testid="connected-as")


def _dialog_body(row: rx.Var) -> rx.Component:
    trying = rx.match(
        row["state"], ("connecting", True), ("reconnecting", True), ("waiting_qr", True), False
    )
    return rx.vstack(
        rx.dialog.title(T["wa.qr_title"].replace("{name}", row["name"])),
        rx.cond(
            trying,
            rx.vstack(
                rx.hstack(
                    rx.text(T["wa.dialog_state"], size="2"),
                    rx.text(T[row["state_key"]], size="2", weight="bold"),
                    spacing="1",
                ),
                rx.cond(
                    row["reason_key"] != "",
                    rx.text(reason_text(row), size="1", color_scheme="gray"),
                ),
                spacing="1",
            ),
        ),
        error_callout(S.error),
        rx.cond(
            row["connected"] == "yes",
            _connected_panel(row),
            rx.cond(
                row["state"] == "confirm_phone",
                _confirm_phone_panel(row),
                rx.cond(trying, _linking_panel(row), _ended_panel(row)),
            ),
        ),
        rx.hstack(
            rx.dialog.close(rx.button(T["wa.close"], variant="soft")), justify="end", width="100%"
        ),
        spacing="3",
    )


def _qr_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.foreach(
                TenantFeed.numbers,
                lambda row: rx.cond(row["id"] == S.dialog_number_id, _dialog_body(row)),
            ),
            max_width="460px",
        ),
        open=S.dialog_number_id != "",
        on_open_change=S.close_dialog,
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T["wa.rename"]),
            rx.form(
                rx.vstack(
                    error_callout(S.error),
                    text_field(
                        "wa.new_name",
                        "new_name",
                        id="rename-name",
                        required=True,
                        default_value=S.rename_current,
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button(T["wa.cancel"], variant="soft", type="button")),
                        rx.button(T["wa.save"], type="submit"),
                        justify="end",
                    ),
                ),
                on_submit=S.rename,
                reset_on_submit=False,
            ),
            max_width="400px",
        ),
        open=S.rename_number_id != "",
        on_open_change=S.cancel_rename,
    )


def whatsapp_page() -> rx.Component:
    return shell(
        rx.text(T["wa.intro"], color_scheme="gray"),
        error_callout(rx.cond(S.dialog_open, "", S.error)),
        rx.cond(S.is_manager, _add_form()),
        _numbers_table(),
        _qr_dialog(),
        _rename_dialog(),
        title=T["wa.title"],
    )
