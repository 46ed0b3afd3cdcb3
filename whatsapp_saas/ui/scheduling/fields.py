"""Labelled form controls used by the Scheduling page (every field has a visible label)."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.base_state import AppState

T = AppState.t


def label(key: str, field_id: str) -> rx.Component:
    return rx.el.label(T[key], html_for=field_id, class_name="field-label")


def labelled(key: str, field_id: str, control: rx.Component) -> rx.Component:
    return rx.vstack(label(key, field_id), control, spacing="1", width="100%")


def select(
    key: str,
    name: str,
    field_id: str,
    options: rx.Var,
    **props: object,
) -> rx.Component:
    """A native <select> over rows with "id" and "label", starting with "Choose…"."""
    return labelled(
        key,
        field_id,
        rx.el.select(
            rx.el.option(T["sched.choose"], value=""),
            rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["id"])),
            id=field_id,
            name=name,
            class_name="native-select",
            **props,
        ),
    )


def recurrence_select(field_id: str, value: rx.Var | str | None = None) -> rx.Component:
    options = [
        rx.el.option(T[f"sched.recurrence.{r}"], value=r)
        for r in ("none", "daily", "weekly", "monthly")
    ]
    props = {"default_value": value} if value is not None else {}
    return labelled(
        "sched.recurrence",
        field_id,
        rx.el.select(*options, id=field_id, name="recurrence", class_name="native-select", **props),
    )


def textarea(key: str, name: str, field_id: str, **props: object) -> rx.Component:
    return labelled(key, field_id, rx.text_area(id=field_id, name=name, width="100%", **props))


def date_time(prefix: str, date: rx.Var | str = "", time: rx.Var | str = "") -> rx.Component:
    def part(key: str, name: str, kind: str, value: rx.Var | str) -> rx.Component:
        field_id = f"{prefix}-{name}"
        control = rx.input(id=field_id, name=name, type=kind, default_value=value, required=True)
        # Side by side while there is room; on a phone the time goes under the date.
        return rx.box(labelled(key, field_id, control), flex="1 1 140px", min_width="140px")

    return rx.flex(
        part("sched.date", "date", "date", date),
        part("sched.time", "time", "time", time),
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def status_badge(text: rx.Var, status: rx.Var, colors: dict[str, str]) -> rx.Component:
    return rx.badge(text, color_scheme=rx.match(status, *colors.items(), "gray"))


def field_message(errors: rx.Var, name: str, field_id: str) -> rx.Component:
    """The server's complaint about one field, right under it (``errors``: name -> text)."""
    return rx.cond(
        errors.contains(name),  # type: ignore[attr-defined]
        rx.text(
            errors[name],  # type: ignore[index]
            id=f"{field_id}-error",
            role="alert",
            size="1",
            color_scheme="red",
        ),
    )


def with_error(control: rx.Component, errors: rx.Var, name: str, field_id: str) -> rx.Component:
    return rx.vstack(control, field_message(errors, name, field_id), spacing="1", width="100%")
