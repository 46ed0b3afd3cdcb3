"""Settings page: preferences and the team."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.inbox.signature import signature_form
from whatsapp_saas.ui.layout import shell
from whatsapp_saas.ui.settings import departments, quick_replies, sending
from whatsapp_saas.ui.settings.media_usage import media_usage_panel
from whatsapp_saas.ui.settings.users_state import UsersState

T = UsersState.t


def _role_cell(row: rx.Var) -> rx.Component:
    """Managers change a colleague's role in place; everyone else just reads it."""
    return rx.cond(
        row["can_change"] == "yes",
        rx.el.select(
            rx.el.option(T["role.agent"], value="agent"),
            rx.el.option(T["role.admin"], value="admin"),
            value=row["role_code"],
            on_change=lambda value: UsersState.change_role(row["id"], value),
            aria_label=T["users.role"],
            class_name="native-select",
        ),
        rx.text(row["role"]),
    )


def _user_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]),
        rx.table.cell(row["email"]),
        rx.table.cell(_role_cell(row)),
        rx.table.cell(
            rx.badge(row["status"], color_scheme=rx.cond(row["active"] == "yes", "green", "gray"))
        ),
        rx.table.cell(row["created"]),
        rx.table.cell(row["last_login"]),
        rx.table.cell(
            rx.cond(
                row["can_change"] == "yes",
                rx.cond(
                    row["active"] == "yes",
                    rx.button(
                        T["users.disable"],
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        on_click=UsersState.set_active(row["id"], False),
                    ),
                    rx.button(
                        T["users.enable"],
                        size="1",
                        variant="soft",
                        on_click=UsersState.set_active(row["id"], True),
                    ),
                ),
            )
        ),
        data_testid="user-row",
    )


def _users_table() -> rx.Component:
    headers = [
        "auth.name",
        "auth.email",
        "users.role",
        "users.status",
        "users.created",
        "users.last_login",
        "users.actions",
    ]
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(T[h]) for h in headers])),
        rx.table.body(rx.foreach(UsersState.users, _user_row)),
        width="100%",
    )


def _invite_form() -> rx.Component:
    return rx.form(
        rx.flex(
            text_field("auth.name", "name", id="invite-name", required=True),
            text_field("auth.email", "email", id="invite-email", type_="email", required=True),
            rx.vstack(
                rx.el.label(T["users.role"], html_for="invite-role", class_name="field-label"),
                rx.el.select(
                    rx.el.option(T["role.agent"], value="agent"),
                    rx.el.option(T["role.admin"], value="admin"),
                    id="invite-role",
                    name="role",
                    class_name="native-select",
                ),
                spacing="1",
            ),
            rx.button(T["users.invite_send"], type="submit"),
            gap="1em",
            align="end",
            wrap="wrap",
        ),
        on_submit=UsersState.invite,
        reset_on_submit=True,
    )


def _invite_result() -> rx.Component:
    return rx.cond(
        UsersState.invite_link != "",
        rx.callout(
            rx.vstack(
                rx.text(UsersState.invite_notice),
                rx.code(
                    UsersState.invite_link,
                    data_testid="invite-link",
                    style={"word_break": "break-all"},
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("copy", size=16),
                        T["users.copy_link"],
                        on_click=[
                            rx.set_clipboard(UsersState.invite_link),
                            UsersState.note_link_copied,
                        ],
                        variant="soft",
                        size="2",
                    ),
                    rx.cond(
                        UsersState.invite_copied,
                        rx.text(T["users.link_copied"], size="2", role="status"),
                    ),
                    align="center",
                    spacing="3",
                ),
            ),
            icon="link",
            color_scheme="green",
        ),
    )


def _pending_invites() -> rx.Component:
    return rx.cond(
        UsersState.invites.length() > 0,
        rx.vstack(
            rx.heading(T["users.pending"], size="3", as_="h3"),
            rx.foreach(
                UsersState.invites,
                lambda inv: rx.hstack(
                    rx.text(inv["name"]),
                    rx.text(inv["email"], color_scheme="gray"),
                    rx.badge(inv["role"]),
                    rx.text(T["users.expires"], size="1"),
                    rx.text(inv["expires"], size="1"),
                    rx.cond(
                        UsersState.is_manager,
                        rx.button(
                            T["users.revoke"],
                            size="1",
                            variant="soft",
                            on_click=UsersState.revoke_invite(inv["id"]),
                        ),
                    ),
                    align="center",
                ),
            ),
        ),
    )


def _preferences() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.vstack(
                rx.el.label(T["settings.timezone"], html_for="timezone", class_name="field-label"),
                rx.el.select(
                    rx.foreach(UsersState.timezones, lambda z: rx.el.option(z, value=z)),
                    id="timezone",
                    name="timezone",
                    default_value=UsersState.user_timezone,
                    key=UsersState.user_timezone,
                    class_name="native-select",
                ),
                spacing="1",
            ),
            rx.button(T["settings.save"], type="submit"),
            align="end",
        ),
        on_submit=UsersState.save_timezone,
        reset_on_submit=False,
    )


def _read_receipts() -> rx.Component:
    return rx.cond(
        UsersState.is_manager,
        rx.hstack(
            rx.switch(
                checked=UsersState.read_receipts,
                on_change=UsersState.set_read_receipts,
                id="read-receipts",
            ),
            rx.el.label(
                T["settings.read_receipts"], html_for="read-receipts", class_name="field-label"
            ),
            align="center",
        ),
    )


def _sub_pages() -> rx.Component:
    return rx.hstack(
        rx.link(T["qr.title"], href=quick_replies.ROUTE),
        rx.link(T["dept.title"], href=departments.ROUTE),
        rx.link(T["sending.link"], href=sending.ROUTE),
        spacing="5",
    )


def settings_page() -> rx.Component:
    return shell(
        _sub_pages(),
        error_callout(UsersState.error),
        rx.heading(T["settings.preferences"], size="4", as_="h2"),
        _preferences(),
        signature_form(),
        _read_receipts(),
        success_callout(UsersState.saved_notice),
        rx.heading(T["settings.users"], size="4", as_="h2"),
        _users_table(),
        rx.cond(
            UsersState.is_manager,
            rx.vstack(
                rx.heading(T["users.invite"], size="3", as_="h3"),
                _invite_form(),
                _invite_result(),
                width="100%",
            ),
            rx.text(T["users.only_managers"], color_scheme="gray"),
        ),
        _pending_invites(),
        media_usage_panel(),
        title=T["settings.title"],
    )
