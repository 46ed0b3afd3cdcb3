"""Small shared components. They take values and handlers; they own no state."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.i18n import LANGUAGE_NAMES
from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.base_state import AppState


def text_field(label_key: str, name: str, *, type_: str = "text", **props: object) -> rx.Component:
    """A labelled input; the <label for> association lets screen readers and tests find it."""
    field_id = props.pop("id", name)
    return rx.vstack(
        rx.el.label(AppState.t[label_key], html_for=field_id, class_name="field-label"),
        rx.input(id=field_id, name=name, type=type_, width="100%", **props),
        spacing="1",
        width="100%",
    )


def error_callout(message: rx.Var | str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def success_callout(message: rx.Var | str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="check", color_scheme="green", role="status", width="100%"),
    )


def language_switch(select_id: str = "language", *, stacked: bool = False) -> rx.Component:
    """A native <select>, so it works with the keyboard and any test driver.

    ``stacked`` puts the label above a full-width select: the sidebar is too narrow for
    "Idioma" beside "Português (Brasil)".
    """
    box = rx.vstack if stacked else rx.hstack
    return box(
        rx.el.label(AppState.t["nav.language"], html_for=select_id, class_name="field-label"),
        rx.el.select(
            *[rx.el.option(name, value=code) for code, name in LANGUAGE_NAMES.items()],
            id=select_id,
            value=AppState.lang,
            on_change=AppState.set_language,
            class_name="lang-select lang-select-stacked" if stacked else "lang-select",
        ),
        align="stretch" if stacked else "center",
        spacing="1" if stacked else "2",
        width="100%" if stacked else "auto",
    )


def centered_card(*children: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(rx.vstack(*children, spacing="4", width="100%"), width="100%", max_width="420px"),
        min_height="100vh",
        padding="1em",
        background="var(--gray-2)",
    )


def stat_card(label: rx.Var | str, value: rx.Var | int, test_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="2", color_scheme="gray"),
            rx.heading(value, size="7", data_testid=test_id),
            spacing="1",
        ),
        min_width="180px",
    )


def upload_button(
    upload_id: str,
    label: rx.Var | str,
    policy: upload_guard.UploadPolicy,
    on_drop: rx.EventHandler,
) -> rx.Component:
    """A one-file upload zone that is just a button named ``label``.

    The browser refuses a file over ``policy.max_bytes`` with a translated toast before
    sending it; a file it takes goes to ``on_drop`` (an upload handler of that policy).
    """
    return rx.upload(
        rx.button(rx.icon("paperclip", size=16), label, type="button", variant="soft", size="2"),
        id=upload_id,
        max_files=1,
        multiple=False,
        border="none",
        padding="0",
        max_size=policy.max_bytes,
        on_drop_rejected=upload_guard.drop_rejected(AppState.t, policy),
        on_drop=on_drop(rx.upload_files(upload_id=upload_id)),
    )
