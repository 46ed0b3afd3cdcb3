"""The rule builder's conditions editor: rows joined by AND/OR, NOT per row, one group.

Each row's type select is controlled (it decides which inputs show); the rest are
uncontrolled inputs named ``cond_<what>_<index>``, read on Save (see forms.conditions_from).
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.automations.state import AutomationsState as A
from whatsapp_saas.ui.scheduling.fields import field_message, labelled

T = A.t
KINDS = (
    "has_tag",
    "number",
    "phone",
    "segment",
    "field",
    "contact_age",
    "conversation_age",
    "inside_hours",
    "outside_hours",
    "status",
    "assignee",
    "department",
    "owner",
    "message_type",
)
FIELD_OPS = ("equals", "contains", "empty", "greater", "less")
AGE_OPS = ("greater", "less")
JOINS = ("all", "any")
STATUSES = ("open", "pending", "resolved")
OWNERS = ("human", "flow", "ai")
MESSAGE_KINDS = ("text", "media", "voice")


def _options(prefix: str, values: tuple[str, ...]) -> list[rx.Component]:
    return [rx.el.option(T[f"{prefix}.{v}"], value=v) for v in values]


def _select(field_id: str, name: str, options: list[rx.Component], **props: object) -> rx.Component:
    return rx.el.select(*options, id=field_id, name=name, class_name="native-select", **props)


def _text(key: str, field_id: str, name: str, value: rx.Var) -> rx.Component:
    return labelled(key, field_id, rx.input(id=field_id, name=name, default_value=value))


def _op(row: rx.Var, index: rx.Var, values: tuple[str, ...]) -> rx.Component:
    field_id = f"auto-cond-op-{index}"
    return labelled(
        "auto.cond_op",
        field_id,
        _select(field_id, f"cond_op_{index}", _options("auto.op", values), default_value=row["op"]),
    )


def _value(row: rx.Var, index: rx.Var) -> rx.Component:
    return _text("auto.cond_value", f"auto-cond-value-{index}", f"cond_value_{index}", row["value"])


def _choice_value(row: rx.Var, index: rx.Var, choices: rx.Var) -> rx.Component:
    field_id = f"auto-cond-value-{index}"
    return labelled(
        "auto.cond_value",
        field_id,
        rx.el.select(
            rx.foreach(choices, lambda c: rx.el.option(c["label"], value=c["id"])),
            id=field_id,
            name=f"cond_value_{index}",
            default_value=row["value"],
            class_name="native-select",
        ),
    )


def _fixed_value(row: rx.Var, index: rx.Var, values: tuple[str, ...]) -> rx.Component:
    """A value from a fixed list, shown translated (the stored value is the code)."""
    field_id = f"auto-cond-value-{index}"
    return labelled(
        "auto.cond_value",
        field_id,
        _select(
            field_id,
            f"cond_value_{index}",
            _options("auto.val", values),
            default_value=row["value"],
        ),
    )


def _fields_for(row: rx.Var, index: rx.Var) -> rx.Component:
    return rx.match(
        row["type"],
        ("inside_hours", rx.fragment()),
        ("outside_hours", rx.fragment()),
        (
            "field",
            rx.flex(
                _text("auto.cond_key", f"auto-cond-key-{index}", f"cond_key_{index}", row["key"]),
                _op(row, index, FIELD_OPS),
                _value(row, index),
                spacing="2",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
        ),
        ("contact_age", rx.flex(_op(row, index, AGE_OPS), _value(row, index), spacing="2")),
        ("conversation_age", rx.flex(_op(row, index, AGE_OPS), _value(row, index), spacing="2")),
        ("department", _choice_value(row, index, A.departments)),
        ("number", _choice_value(row, index, A.numbers)),
        ("segment", _choice_value(row, index, A.segments)),
        ("status", _fixed_value(row, index, STATUSES)),
        ("owner", _fixed_value(row, index, OWNERS)),
        ("message_type", _fixed_value(row, index, MESSAGE_KINDS)),
        ("assignee", _fixed_value(row, index, ("yes", "no"))),
        _value(row, index),
    )


def _row(row: rx.Var, index: rx.Var) -> rx.Component:
    type_id = f"auto-cond-type-{index}"
    not_id = f"auto-cond-not-{index}"
    group_id = f"auto-cond-group-{index}"
    return rx.card(
        rx.vstack(
            rx.flex(
                labelled(
                    "auto.condition",
                    type_id,
                    _select(
                        type_id,
                        f"cond_type_{index}",
                        _options("auto.cond", KINDS),
                        value=row["type"],
                        on_change=lambda v: A.set_condition_type(index, v),
                    ),
                ),
                labelled(
                    "auto.cond_group",
                    group_id,
                    _select(
                        group_id,
                        f"cond_group_{index}",
                        _options("auto.cond_group", ("", "a")),
                        default_value=row["group"],
                    ),
                ),
                rx.el.label(
                    rx.el.input(
                        type="checkbox",
                        id=not_id,
                        name=f"cond_not_{index}",
                        default_checked=row["negate"] == "1",
                    ),
                    rx.text(T["auto.cond_not"], as_="span", size="2"),
                    html_for=not_id,
                    display="flex",
                    gap="0.4em",
                    align_items="center",
                    white_space="nowrap",
                ),
                rx.icon_button(
                    rx.icon("x"),
                    type="button",
                    variant="ghost",
                    size="1",
                    on_click=A.remove_condition(index),
                    aria_label=T["auto.remove_condition"],
                ),
                spacing="2",
                align="end",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
            _fields_for(row, index),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="condition-row",
    )


def conditions_editor() -> rx.Component:
    return rx.vstack(
        rx.heading(T["auto.conditions"], size="3", as_="h3"),
        rx.text(T["auto.conditions_intro"], size="1", color_scheme="gray"),
        rx.cond(
            A.cond_rows.length() > 0,
            rx.flex(
                labelled(
                    "auto.cond_join",
                    "auto-cond-join",
                    _select(
                        "auto-cond-join",
                        "cond_join",
                        _options("auto.join", JOINS),
                        value=A.cond_join,
                        on_change=A.set_cond_join,
                    ),
                ),
                labelled(
                    "auto.group_join",
                    "auto-group-join",
                    _select(
                        "auto-group-join",
                        "group_join",
                        _options("auto.join", JOINS),
                        value=A.group_join,
                        on_change=A.set_group_join,
                    ),
                ),
                spacing="3",
                width="100%",
                direction=rx.breakpoints(initial="column", sm="row"),
            ),
        ),
        rx.foreach(A.cond_rows, _row),
        rx.text(T["auto.value_hint"], size="1", color_scheme="gray"),
        field_message(A.field_errors, "conditions", "auto-conditions"),
        rx.button(
            rx.icon("plus"),
            T["auto.add_condition"],
            type="button",
            variant="soft",
            on_click=A.add_condition,
        ),
        spacing="2",
        width="100%",
    )
