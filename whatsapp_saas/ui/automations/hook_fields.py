"""The rule builder's "Webhook received" fields: the number to write from, the rule's inbound
URL and secret (copy, rotate), and the request's shape. The secret is in full only right after
it was made or rotated (``AutomationsState.hook_secret``), otherwise masked."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.automations.state import AutomationsState as A
from whatsapp_saas.ui.scheduling.fields import field_message, label, labelled

T = A.t

MONO = {"font_family": "var(--code-font-family)"}
EXAMPLE = '{"phone": "+5511988887777", "text": "...", "fields": {"order": "123"}}'


def _number() -> rx.Component:
    return rx.vstack(
        labelled(
            "auto.hook_number",
            "auto-hook-number",
            rx.el.select(
                rx.el.option(T["auto.hook_first_number"], value=""),
                rx.foreach(A.numbers, lambda n: rx.el.option(n["label"], value=n["id"])),
                id="auto-hook-number",
                name="hook_number",
                default_value=A.trigger_number,
                class_name="native-select",
            ),
        ),
        field_message(A.field_errors, "hook_number", "auto-hook-number"),
        spacing="1",
        width="100%",
    )


def _shown(field_id: str, value: rx.Var) -> rx.Component:
    """A read-only field (inside the rule's form: named, which its submit handler ignores)."""
    name = field_id.replace("-", "_") + "_shown"
    return rx.input(id=field_id, name=name, value=value, read_only=True, width="100%", style=MONO)


def _copyable(key: str, field_id: str, value: rx.Var, copy_key: str) -> rx.Component:
    return rx.vstack(
        label(key, field_id),
        rx.flex(
            _shown(field_id, value),
            rx.button(
                rx.icon("copy", size=16),
                T[copy_key],
                type="button",
                variant="soft",
                on_click=rx.set_clipboard(value),
            ),
            spacing="2",
            width="100%",
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
        spacing="1",
        width="100%",
    )


def _hook_card() -> rx.Component:
    secret = rx.cond(A.hook_secret != "", A.hook_secret, A.hook_masked)
    return rx.vstack(
        _copyable("auto.hook_url", "auto-hook-url", A.hook_url, "auto.hook_copy_url"),
        rx.cond(
            A.hook_secret != "",
            rx.vstack(
                _copyable("auto.hook_secret", "auto-hook-secret", secret, "auto.hook_copy_secret"),
                rx.callout(T["auto.hook_secret_once"], icon="key-round", color_scheme="amber"),
                spacing="2",
                width="100%",
            ),
            labelled(
                "auto.hook_secret",
                "auto-hook-secret",
                _shown("auto-hook-secret", secret),
            ),
        ),
        rx.button(
            rx.icon("rotate-cw", size=16),
            T["auto.hook_rotate"],
            type="button",
            variant="soft",
            color_scheme="orange",
            on_click=A.rotate_hook_secret,
        ),
        spacing="2",
        width="100%",
    )


def _shape() -> rx.Component:
    return rx.vstack(
        rx.text(T["auto.hook_shape"], size="2"),
        rx.code(EXAMPLE, style={"word_break": "break-all", "white_space": "pre-wrap"}),
        rx.text(T["auto.hook_auth"], size="2", color_scheme="gray"),
        rx.text(T["auto.hook_variables"], size="2", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


def hook_fields() -> rx.Component:
    return rx.vstack(
        _number(),
        rx.cond(
            A.hook_url != "",
            _hook_card(),
            rx.text(T["auto.hook_after_save"], size="2", color_scheme="gray"),
        ),
        _shape(),
        spacing="3",
        width="100%",
    )
