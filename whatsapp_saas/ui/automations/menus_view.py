"""The Menus tab: the list of menus and the tree editor (nested options, indented).

Accessible names stay unique on the Automations page: every control is labelled "Menu …" or
"Option label 2.1" (the option's number), never the rules builder's "Save" or "Message".
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.automations.menus import TARGETS, TIMEOUT_ACTIONS
from whatsapp_saas.ui.automations.files_view import attachment_picker, files_uploader
from whatsapp_saas.ui.automations.menus_state import MenusState as M
from whatsapp_saas.ui.components import error_callout, success_callout

T = M.t


def _menu_card(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(row["name"], weight="medium"),
                rx.text(
                    T["menu.options_count"].replace("{count}", row["options"]),
                    size="1",
                    color_scheme="gray",
                ),
                rx.cond(
                    row["starts_new"] == "1",
                    rx.badge(T["menu.starts_new"], color_scheme="green"),
                ),
                spacing="1",
            ),
            rx.spacer(),
            rx.button(
                T["menu.edit"],
                variant="soft",
                on_click=M.edit_menu(row["id"]),
                aria_label=T["menu.edit"] + " " + row["name"],
            ),
            rx.icon_button(
                rx.icon("trash-2"),
                variant="ghost",
                color_scheme="red",
                on_click=M.delete_menu(row["id"]),
                aria_label=T["menu.delete"] + " " + row["name"],
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="menu-row",
    )


def _list() -> rx.Component:
    return rx.vstack(
        rx.text(T["menu.intro"], size="2", color_scheme="gray"),
        rx.text(T["menu.send_hint"], size="1", color_scheme="gray"),
        rx.button(rx.icon("plus"), T["menu.new"], on_click=M.new_menu, width="fit-content"),
        rx.cond(
            M.menus.length() > 0,
            rx.vstack(rx.foreach(M.menus, _menu_card), spacing="2", width="100%"),
            rx.text(T["menu.none_yet"], color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def _labelled(text: rx.Var, field_id: rx.Var | str, control: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.el.label(text, html_for=field_id, class_name="field-label"),
        control,
        spacing="1",
        width="100%",
    )


def _choices(items: rx.Var) -> rx.Component:
    return rx.foreach(items, lambda d: rx.el.option(d["label"], value=d["id"]))


def _id_select(row: rx.Var, index: rx.Var, key: str, items: rx.Var, label: str) -> rx.Component:
    name = T[label] + " " + row["number"]
    return rx.el.select(
        rx.el.option(T["menu.pick"], value=""),
        _choices(items),
        value=row[key],
        on_change=lambda v: M.set_row(index, key, v),
        class_name="native-select",
        aria_label=name,
    )


def _option_row(row: rx.Var, index: rx.Var) -> rx.Component:
    number = row["number"]
    target = row["target"]
    return rx.box(
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.badge(number, variant="solid", size="2"),
                    rx.input(
                        value=row["label"],
                        on_change=lambda v: M.set_row(index, "label", v),
                        aria_label=T["menu.option_label"] + " " + number,
                        placeholder=T["menu.option_label"],
                        flex="1 1 160px",
                    ),
                    rx.el.select(
                        *[rx.el.option(T[f"menu.target.{t}"], value=t) for t in TARGETS],
                        value=target,
                        on_change=lambda v: M.set_row(index, "target", v),
                        class_name="native-select",
                        aria_label=T["menu.option_target"] + " " + number,
                        style={"flex": "1 1 160px", "width": "auto"},
                    ),
                    rx.icon_button(
                        rx.icon("x"),
                        variant="ghost",
                        size="1",
                        on_click=M.remove_option(index),
                        aria_label=T["menu.remove_option"] + " " + number,
                    ),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                ),
                rx.match(
                    target,
                    (
                        "department",
                        _id_select(
                            row,
                            index,
                            "department_id",
                            M.menu_departments,
                            "menu.option_department",
                        ),
                    ),
                    (
                        "agent",
                        _id_select(row, index, "user_id", M.menu_agents, "menu.option_agent"),
                    ),
                    ("rule", _id_select(row, index, "rule_id", M.menu_rules, "menu.option_rule")),
                    rx.fragment(),
                ),
                rx.text_area(
                    value=row["message"],
                    on_change=lambda v: M.set_row(index, "message", v),
                    aria_label=T["menu.option_message"] + " " + number,
                    placeholder=T["menu.option_message"],
                    rows="2",
                    width="100%",
                ),
                attachment_picker(
                    f"menu-media-{index}",
                    row["media_id"],
                    lambda v: M.set_row(index, "media_id", v),
                    T["auto.attachment"] + " " + number,
                ),
                rx.cond(
                    target == "menu",
                    rx.button(
                        rx.icon("corner-down-right"),
                        T["menu.add_sub_option"],
                        variant="soft",
                        size="1",
                        on_click=M.add_sub_option(index),
                        aria_label=T["menu.add_sub_option"] + " " + number,
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
        # Nesting by indentation: 1.25em a level (narrower on phones).
        padding_left=rx.breakpoints(
            initial=f"calc({row['depth']} * 0.75em)", sm=f"calc({row['depth']} * 1.5em)"
        ),
        width="100%",
        data_testid="menu-option",
    )


def _text(key: str, field: str, value: rx.Var, *, area: bool = False) -> rx.Component:
    field_id = f"menu-{field}"
    control = (rx.text_area if area else rx.input)(
        id=field_id,
        value=value,
        on_change=lambda v: M.set_m_field(field, v),
        width="100%",
    )
    return _labelled(T[key], field_id, control)


def _switch(key: str, field_id: str, checked: rx.Var, on_change: object) -> rx.Component:
    return rx.el.label(
        rx.switch(id=field_id, checked=checked, on_change=on_change, aria_label=T[key]),
        rx.text(T[key], as_="span", size="2"),
        html_for=field_id,
        display="flex",
        gap="0.5em",
        align_items="center",
    )


def _settings() -> rx.Component:
    return rx.vstack(
        _text("menu.keywords", "m_keywords", M.m_keywords),
        rx.text(T["menu.keywords_hint"], size="1", color_scheme="gray"),
        rx.flex(
            rx.box(
                _text("menu.reprompt_limit", "m_reprompt_limit", M.m_reprompt_limit),
                flex="1 1 160px",
            ),
            rx.box(_text("menu.timeout_minutes", "m_timeout", M.m_timeout), flex="1 1 160px"),
            rx.box(
                _labelled(
                    T["menu.timeout_action"],
                    "menu-timeout-action",
                    rx.el.select(
                        *[rx.el.option(T[f"menu.timeout.{a}"], value=a) for a in TIMEOUT_ACTIONS],
                        id="menu-timeout-action",
                        value=M.m_timeout_action,
                        on_change=lambda v: M.set_m_field("m_timeout_action", v),
                        class_name="native-select",
                    ),
                ),
                flex="1 1 160px",
            ),
            rx.box(_text("menu.expiry_minutes", "m_expiry", M.m_expiry), flex="1 1 160px"),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        _text("menu.reprompt_message", "m_reprompt_message", M.m_reprompt_message, area=True),
        _text("menu.handoff_message", "m_handoff_message", M.m_handoff_message, area=True),
        _switch("menu.start_new", "menu-start-new", M.m_start_new, M.set_m_start_new),
        _switch("menu.enabled", "menu-enabled", M.m_enabled, M.set_m_enabled),
        spacing="2",
        width="100%",
    )


def _editor() -> rx.Component:
    return rx.card(
        rx.vstack(
            error_callout(M.menu_error),
            _text("menu.name", "m_name", M.m_name),
            _text("menu.message", "m_message", M.m_message, area=True),
            rx.text(T["menu.message_hint"], size="1", color_scheme="gray"),
            files_uploader("menu-files-upload"),
            attachment_picker(
                "menu-m-media",
                M.m_media,
                lambda v: M.set_m_field("m_media", v),
                T["auto.attachment"],
            ),
            rx.heading(T["menu.options"], size="3"),
            rx.vstack(rx.foreach(M.m_rows, _option_row), spacing="2", width="100%"),
            rx.button(rx.icon("plus"), T["menu.add_option"], variant="soft", on_click=M.add_option),
            _settings(),
            rx.vstack(
                rx.text(T["menu.preview"], size="2", weight="medium"),
                rx.box(
                    rx.text(M.m_preview, white_space="pre-wrap", size="2"),
                    padding="0.75em",
                    border_radius="8px",
                    background="var(--green-3)",
                    width="100%",
                    data_testid="menu-preview",
                ),
                spacing="1",
                width="100%",
            ),
            rx.flex(
                rx.button(T["menu.save"], on_click=M.save_menu, aria_label=T["menu.save"]),
                rx.button(
                    T["menu.cancel"], variant="soft", color_scheme="gray", on_click=M.show_menus
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def menus_tab() -> rx.Component:
    return rx.vstack(
        success_callout(M.menu_notice),
        rx.cond(
            M.menu_panel == "editor",
            _editor(),
            rx.vstack(error_callout(M.menu_error), _list(), width="100%"),
        ),
        spacing="3",
        width="100%",
    )
