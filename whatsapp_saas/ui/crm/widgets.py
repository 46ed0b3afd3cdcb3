"""Small CRM components: labelled native controls, tag badges, avatars, a progress bar."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.base_state import AppState

T = AppState.t


def label(key: str, field_id: str) -> rx.Component:
    return rx.el.label(T[key], html_for=field_id, class_name="field-label")


def labelled(key: str, field_id: str, control: rx.Component, **props: object) -> rx.Component:
    return rx.vstack(label(key, field_id), control, spacing="1", **props)


def native_select(
    field_id: str,
    name: str,
    options: rx.Var,
    *,
    empty_key: str = "crm.any",
    value: rx.Var | str | None = None,
    **props: object,
) -> rx.Component:
    extra = {"default_value": value} if value is not None else {}
    return rx.el.select(
        rx.el.option(T[empty_key], value=""),
        rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["id"])),
        id=field_id,
        name=name,
        class_name="native-select",
        **extra,
        **props,
    )


def fixed_select(
    field_id: str,
    name: str,
    choices: list[tuple[str, str]],
    value: rx.Var | str | None = None,
    **props: object,
) -> rx.Component:
    """A <select> over fixed (value, i18n key) choices."""
    extra = {"default_value": value} if value is not None else {}
    return rx.el.select(
        *[rx.el.option(T[key], value=v) for v, key in choices],
        id=field_id,
        name=name,
        class_name="native-select",
        **extra,
        **props,
    )


def tag_badge(tag: rx.Var) -> rx.Component:
    return rx.badge(tag["name"], color_scheme=tag["color"], variant="soft", radius="full")


def avatar(initials: rx.Var | str, size: str = "3") -> rx.Component:
    return rx.avatar(fallback=initials, size=size, radius="full", color_scheme="teal")


def progress_bar(percent: rx.Var, test_id: str, label_key: str) -> rx.Component:
    return rx.box(
        rx.box(width=percent, height="100%", background="var(--accent-9)", transition="width 0.3s"),
        width="100%",
        height="10px",
        background="var(--gray-4)",
        border_radius="5px",
        overflow="hidden",
        role="progressbar",
        aria_label=T[label_key],
        aria_valuetext=percent,
        data_testid=test_id,
    )


def field_error(errors: rx.Var, name: str, field_id: str) -> rx.Component:
    return rx.cond(
        errors.contains(name),  # type: ignore[attr-defined]
        rx.text(
            errors[name],
            id=f"{field_id}-error",
            role="alert",
            size="1",  # type: ignore[index]
            color_scheme="red",
        ),
    )


# A checkbox or radio with its text beside it.
CHECK_STYLE = {"display": "inline-flex", "gap": "0.4em", "align_items": "center"}
