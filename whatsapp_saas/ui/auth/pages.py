"""Login, sign-up and invitation acceptance pages."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui import routes
from whatsapp_saas.ui.auth.forms import session_form
from whatsapp_saas.ui.auth.state import AuthFormState, InviteState
from whatsapp_saas.ui.components import (
    centered_card,
    error_callout,
    language_switch,
    success_callout,
    text_field,
)


def _title_row(app_name: rx.Var) -> rx.Component:
    """The app's name and the language switch; on a phone the switch wraps below the name."""
    return rx.hstack(
        rx.heading(app_name, size="6", white_space="nowrap"),
        rx.spacer(),
        language_switch(),
        flex_wrap="wrap",
        align="center",
        width="100%",
    )


def _header(title_key: str) -> rx.Component:
    return rx.vstack(
        _title_row(AuthFormState.t["app.name"]),
        rx.text(AuthFormState.t["app.tagline"], color_scheme="gray", size="2"),
        rx.heading(AuthFormState.t[title_key], size="4", as_="h2"),
        width="100%",
        spacing="2",
    )


def _submit(label_key: str) -> rx.Component:
    return rx.button(
        rx.cond(AuthFormState.busy, AuthFormState.t["auth.working"], AuthFormState.t[label_key]),
        type="submit",
        width="100%",
        loading=AuthFormState.busy,
    )


def login_page() -> rx.Component:
    return centered_card(
        _header("auth.sign_in_title"),
        success_callout(AuthFormState.notice),
        error_callout(AuthFormState.error),
        rx.form(
            rx.vstack(
                text_field(
                    "auth.email", "email", type_="email", auto_complete="username", required=True
                ),
                text_field(
                    "auth.password",
                    "password",
                    type_="password",
                    auto_complete="current-password",
                    required=True,
                ),
                _submit("auth.sign_in"),
                spacing="3",
            ),
            on_submit=AuthFormState.sign_in,
            reset_on_submit=False,
        ),
        session_form(),
        rx.hstack(
            rx.text(AuthFormState.t["auth.no_account"], size="2"),
            rx.link(AuthFormState.t["auth.create_account"], href=routes.SIGNUP, size="2"),
            spacing="2",
        ),
    )


def signup_page() -> rx.Component:
    return centered_card(
        _header("auth.create_account_title"),
        error_callout(AuthFormState.error),
        rx.form(
            rx.vstack(
                text_field("auth.company_name", "company_name", required=True),
                text_field("auth.name", "name", auto_complete="name", required=True),
                text_field(
                    "auth.email", "email", type_="email", auto_complete="username", required=True
                ),
                text_field(
                    "auth.password",
                    "password",
                    type_="password",
                    auto_complete="new-password",
                    required=True,
                ),
                rx.text(AuthFormState.password_hint, size="1", color_scheme="gray"),
                _submit("auth.create_account"),
                spacing="3",
            ),
            on_submit=AuthFormState.sign_up,
            reset_on_submit=False,
        ),
        session_form(),
        rx.hstack(
            rx.text(AuthFormState.t["auth.have_account"], size="2"),
            rx.link(AuthFormState.t["auth.sign_in"], href=routes.LOGIN, size="2"),
            spacing="2",
        ),
    )


def invite_page() -> rx.Component:
    return centered_card(
        _title_row(InviteState.t["app.name"]),
        error_callout(InviteState.error),
        rx.cond(
            InviteState.invite_valid,
            rx.vstack(
                rx.heading(InviteState.invite_title, size="4", as_="h2"),
                rx.text(InviteState.invite_intro, size="2"),
                rx.form(
                    rx.vstack(
                        text_field(
                            "auth.name",
                            "name",
                            default_value=InviteState.invite_name,
                            required=True,
                        ),
                        text_field(
                            "auth.password",
                            "password",
                            type_="password",
                            auto_complete="new-password",
                            required=True,
                        ),
                        rx.text(
                            rx.cond(
                                InviteState.invite_has_account,
                                InviteState.t["invite.has_account"],
                                InviteState.password_hint,
                            ),
                            size="1",
                            color_scheme="gray",
                        ),
                        rx.button(
                            InviteState.t["invite.accept"],
                            type="submit",
                            width="100%",
                            loading=InviteState.busy,
                        ),
                        spacing="3",
                    ),
                    on_submit=InviteState.accept,
                    reset_on_submit=False,
                ),
                width="100%",
            ),
            rx.link(InviteState.t["auth.sign_in"], href=routes.LOGIN),
        ),
        session_form(),
    )
