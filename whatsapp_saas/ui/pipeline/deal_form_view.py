"""The deal form's dialog: title, contact (searched by name or phone), value, owner,
expected close date, stage and the tenant's deal custom fields (drawn as the contact card
draws its own); each field's error right under it."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.components import error_callout
from whatsapp_saas.ui.crm.card_view import field_input
from whatsapp_saas.ui.pipeline.deal_form import DealFormState

F = DealFormState
T = F.t


def _label(key: str, field_id: str) -> rx.Component:
    return rx.el.label(T[key], html_for=field_id, class_name="field-label")


def _error(name: str, field_id: str) -> rx.Component:
    return rx.cond(
        F.form_errors.contains(name),
        rx.text(
            F.form_errors[name], id=f"{field_id}-error", role="alert", size="1", color_scheme="red"
        ),
    )


def _field(key: str, name: str, field_id: str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        _label(key, field_id), control, _error(name, field_id), spacing="1", width="100%"
    )


def _contact_picker() -> rx.Component:
    fixed = rx.text(F.fixed_contact_label, weight="medium", data_testid="deal-fixed-contact")
    picker = rx.vstack(
        _label("deals.field.contact_search", "deal-contact-search"),
        rx.input(
            id="deal-contact-search",
            name="contact_search",
            placeholder=T["deals.contact_search_placeholder"],
            on_change=F.search_contacts.debounce(250),
            auto_complete="off",
            width="100%",
        ),
        _field(
            "deals.field.contact",
            "contact_id",
            "deal-contact",
            rx.el.select(
                rx.el.option(T["deals.contact_choose"], value=""),
                rx.foreach(F.contact_results, lambda c: rx.el.option(c["label"], value=c["id"])),
                id="deal-contact",
                name="contact_id",
                class_name="native-select",
            ),
        ),
        spacing="1",
        width="100%",
    )
    return rx.cond(
        F.fixed_contact_id != "",
        rx.vstack(rx.text(T["deals.field.contact"], size="2"), fixed, spacing="1"),
        picker,
    )


def _select(key: str, name: str, field_id: str, options: rx.Var, default: rx.Var) -> rx.Component:
    return _field(
        key,
        name,
        field_id,
        rx.el.select(
            rx.foreach(options, lambda o: rx.el.option(o["label"], value=o["id"])),
            id=field_id,
            name=name,
            default_value=default,
            class_name="native-select",
        ),
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _field(
                "deals.field.title",
                "title",
                "deal-title",
                rx.input(
                    id="deal-title",
                    name="title",
                    max_length=160,
                    width="100%",
                    default_value=F.edit_values.get("title", ""),
                ),
            ),
            _contact_picker(),
            rx.flex(
                rx.box(
                    _field(
                        "deals.field.value",
                        "value",
                        "deal-value",
                        rx.input(
                            id="deal-value",
                            name="value",
                            input_mode="decimal",
                            placeholder="1.500,00",
                            width="100%",
                            default_value=F.edit_values.get("value", ""),
                        ),
                    ),
                    flex="1 1 140px",
                ),
                rx.box(
                    _field(
                        "deals.field.expected_close",
                        "expected_close",
                        "deal-close",
                        rx.input(
                            id="deal-close",
                            name="expected_close",
                            type="date",
                            width="100%",
                            default_value=F.edit_values.get("expected_close", ""),
                        ),
                    ),
                    flex="1 1 140px",
                ),
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            _select("deals.field.owner", "owner_id", "deal-owner", F.owners, F.default_owner),
            _select("deals.field.stage", "stage_id", "deal-stage", F.stages, F.default_stage),
            rx.foreach(F.field_list, lambda f: field_input(f, "deal", F.form_errors, "field-")),
            error_callout(F.form_error),
            rx.hstack(
                rx.dialog.close(
                    rx.button(T["deals.cancel"], variant="soft", color_scheme="gray", type="button")
                ),
                rx.button(T["deals.save"], type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        key=F.form_key.to_string() + "-" + F.editing_id,
        on_submit=F.save_deal,
        reset_on_submit=False,
    )


def _history() -> rx.Component:
    row = lambda h: rx.hstack(  # noqa: E731
        rx.text(h["when"], size="1", color_scheme="gray", white_space="nowrap"),
        rx.text(h["text"], size="1"),
        spacing="2",
        align="start",
        data_testid="deal-history-row",
    )
    return rx.cond(
        F.editing_id != "",
        rx.vstack(
            rx.text(T["deals.history"], size="2", weight="bold"),
            rx.foreach(F.history_rows, row),
            spacing="1",
            width="100%",
            padding_top="0.5em",
            border_top="1px solid var(--gray-5)",
        ),
    )


def deal_dialog() -> rx.Component:
    """The dialog itself; open it with ``DealFormState.open_new`` or ``open_for_contact``."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(F.editing_id != "", T["deals.edit_title"], T["deals.form_title"])
            ),
            _form(),
            _history(),
            max_width="480px",
            data_testid="deal-form",
        ),
        open=F.form_open,
        on_open_change=F.set_form_open,
    )
