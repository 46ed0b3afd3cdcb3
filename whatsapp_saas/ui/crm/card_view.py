"""Pieces of a contact card, drawn for any state with the card's vars and handlers
(the profile page's and the inbox panel's): tags, custom fields with inline edit, notes."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm.widgets import CHECK_STYLE, field_error, label, tag_badge
from whatsapp_saas.ui.realtime import TenantFeed

T = AppState.t


def tags_block(S: Any, prefix: str, *, titled: bool = True, aria_key: str = "") -> rx.Component:
    """The contact's tags; each tag of the tenant toggles with one click. ``aria_key`` names
    the buttons "<label>: <tag>" where another tag list shares the page (the inbox)."""
    title = [rx.text(T["crm.col_tags"], weight="bold", size="2")] if titled else []
    named = {"aria_label": T[aria_key] + ": "} if aria_key else {}
    return rx.vstack(
        *title,
        rx.flex(
            rx.foreach(
                S.tag_choices,
                lambda t: rx.button(
                    rx.cond(t["on"] == "yes", rx.icon("check", size=12), rx.icon("plus", size=12)),
                    t["name"],
                    size="1",
                    radius="full",
                    color_scheme=t["color"],
                    variant=rx.cond(t["on"] == "yes", "solid", "outline"),
                    on_click=S.toggle_tag(t["id"]),
                    aria_pressed=rx.cond(t["on"] == "yes", "true", "false"),
                    data_testid=f"{prefix}-tag",
                    **({"aria_label": named["aria_label"] + t["name"]} if named else {}),
                ),
            ),
            rx.cond(
                S.tag_choices.length() == 0,
                rx.text(T["crm.no_tags_defined"], size="1", color_scheme="gray"),
            ),
            spacing="1",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
    )


def _field_input(S: Any, f: rx.Var, prefix: str) -> rx.Component:
    return field_input(f, prefix, S.errors)


def field_input(
    f: rx.Var, prefix: str, errors: rx.Var, error_prefix: str = "field:"
) -> rx.Component:
    """One custom field's labelled input by its type (a row of ``field_rows``), named
    ``field-<key>`` (read back with ``form_fields``); its error is ``errors[error_prefix +
    key]``. The contact card and the deal form both draw their custom fields with it."""
    field_id = f"{prefix}-field-" + f["key"]
    name = "field-" + f["key"]
    options = f["options"].to(str).split("|")
    control = rx.match(
        f["type"],
        (
            "long_text",
            rx.text_area(id=field_id, name=name, default_value=f["value"], rows="3", width="100%"),
        ),
        (
            "select",
            rx.el.select(
                rx.el.option("—", value=""),
                rx.foreach(options, lambda o: rx.el.option(o, value=o)),
                id=field_id,
                name=name,
                default_value=f["value"],
                class_name="native-select",
            ),
        ),
        (
            "multi_select",
            rx.flex(
                rx.foreach(
                    options,
                    lambda o: rx.el.label(
                        rx.el.input(
                            type="checkbox",
                            name=name + "-" + o,
                            default_checked=f["value"].to(str).split(", ").contains(o),
                        ),
                        o,
                        style=CHECK_STYLE,
                    ),
                ),
                spacing="2",
                wrap="wrap",
                id=field_id,
            ),
        ),
        (
            "checkbox",
            rx.el.input(
                type="checkbox", id=field_id, name=name, default_checked=f["value"] == "true"
            ),
        ),
        rx.input(
            id=field_id, name=name, default_value=f["value"], type=f["input_type"], width="100%"
        ),
    )
    return rx.vstack(
        rx.el.label(f["label"], html_for=field_id, class_name="field-label"),
        control,
        rx.cond(
            errors.contains(error_prefix + f["key"]),  # type: ignore[attr-defined]
            rx.text(
                errors[error_prefix + f["key"]],  # type: ignore[index]
                role="alert",
                size="1",
                color_scheme="red",
                id=field_id + "-error",
            ),
        ),
        spacing="1",
        width="100%",
    )


def _core_input(
    S: Any, key: str, name: str, value: Any, prefix: str, **props: object
) -> rx.Component:
    field_id = f"{prefix}-{name}"
    return rx.vstack(
        label(key, field_id),
        rx.input(id=field_id, name=name, default_value=value, width="100%", **props),
        field_error(S.errors, name, field_id),
        spacing="1",
        width="100%",
    )


def edit_form(
    S: Any, prefix: str, *, core: bool = True, save_key: str = "", cancel_key: str = ""
) -> rx.Component:
    """Name, email, company, owner and every custom field, saved together (or not at all).

    ``save_key``/``cancel_key`` relabel the buttons where the page has other Save/Cancel
    buttons (the inbox's composer): the words shown are the accessible name."""
    core_inputs = (
        [
            _core_input(S, "crm.name", "name", S.name, prefix, max_length=120),
            _core_input(S, "crm.col_email", "email", S.email, prefix, input_mode="email"),
            _core_input(S, "crm.col_company", "company", S.company, prefix, max_length=120),
            rx.vstack(
                label("crm.col_owner", f"{prefix}-owner"),
                rx.el.select(
                    rx.el.option(T["crm.owner_none"], value=""),
                    rx.foreach(S.users, lambda u: rx.el.option(u["label"], value=u["id"])),
                    id=f"{prefix}-owner",
                    name="owner_user_id",
                    default_value=S.owner_id,
                    class_name="native-select",
                ),
                field_error(S.errors, "owner_user_id", f"{prefix}-owner"),
                spacing="1",
                width="100%",
            ),
        ]
        if core
        else []
    )
    return rx.form(
        rx.vstack(
            *core_inputs,
            rx.foreach(S.field_list, lambda f: _field_input(S, f, prefix)),
            rx.hstack(
                rx.button(
                    T[cancel_key or "crm.cancel"],
                    type="button",
                    variant="soft",
                    on_click=S.cancel_edit,
                ),
                rx.button(T[save_key or "crm.save"], type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=S.save,
        key=S.form_key.to_string(),
        width="100%",
    )


def fields_view(S: Any, prefix: str) -> rx.Component:
    """Custom fields as label: value (an empty one shows a dash)."""
    return rx.vstack(
        rx.foreach(
            S.field_list,
            lambda f: rx.hstack(
                rx.text(f["label"], size="2", color_scheme="gray", min_width="8em"),
                rx.text(
                    rx.cond(f["shown"] != "", f["shown"], "—"),
                    size="2",
                    data_testid=f"{prefix}-value-" + f["key"],
                ),
                spacing="2",
                align="start",
                wrap="wrap",
            ),
        ),
        spacing="1",
        width="100%",
    )


def notes_block(S: Any, prefix: str, *, label_key: str = "", add_key: str = "") -> rx.Component:
    """A new internal note on the contact (the keys rename the label and the button where
    the page has its own notes and buttons, as the inbox's composer does)."""
    return rx.form(
        rx.vstack(
            rx.el.label(
                T[label_key or "crm.note"], html_for=f"{prefix}-note", class_name="field-label"
            ),
            rx.text_area(
                id=f"{prefix}-note",
                name="note",
                rows="2",
                width="100%",
                placeholder=T["crm.note_placeholder"],
            ),
            rx.button(T[add_key or "crm.add_note"], type="submit", size="1", align_self="end"),
            spacing="1",
            width="100%",
        ),
        on_submit=S.add_note,
        reset_on_submit=True,
        width="100%",
    )


def timeline_block(S: Any) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            S.timeline,
            lambda e: rx.box(
                rx.text(e["at"], " · ", e["user"], size="1", color_scheme="gray"),
                rx.cond(
                    e["kind"] == "note",
                    rx.text(e["body"], size="2", white_space="pre-wrap"),
                    rx.text(e["field"], ": ", e["old"], " → ", e["new"], size="2"),
                ),
                border_left=rx.cond(
                    e["kind"] == "note", "3px solid var(--amber-8)", "3px solid var(--gray-6)"
                ),
                padding_left="0.6em",
                width="100%",
                data_testid="crm-timeline-entry",
            ),
        ),
        rx.cond(
            S.timeline.length() == 0,
            rx.text(T["crm.timeline_empty"], size="2", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
    )


def shown_tags(S: Any) -> rx.Component:
    return rx.flex(rx.foreach(S.tags, tag_badge), spacing="1", wrap="wrap")


def live_refresh(S: Any, handler: Any) -> rx.Component:
    """Re-read the contact when a live ContactUpdated names it.

    Remounted on every tick of the tenant's contacts feed; the inner box (whose mount calls
    ``handler``) exists only in tabs whose shown contact is among the changed ones, so the
    other tabs send nothing back and read nothing."""
    return rx.box(
        rx.cond(
            TenantFeed.contacts_changed.contains(S.contact_id),
            rx.box(on_mount=handler, display="none"),
        ),
        key=TenantFeed.contacts_tick.to_string(),
        display="none",
    )
