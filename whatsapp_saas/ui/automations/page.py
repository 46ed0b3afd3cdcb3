"""The Automations page: rules (with the dry run and the run log), menus, business hours."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.automations.hours_view import hours_tab
from whatsapp_saas.ui.automations.menus_state import MenusState
from whatsapp_saas.ui.automations.menus_view import menus_tab
from whatsapp_saas.ui.automations.rules_view import rules_tab, toolbar
from whatsapp_saas.ui.automations.state import AutomationsState as A
from whatsapp_saas.ui.layout import shell

T = A.t


def _manager_page() -> rx.Component:
    return rx.vstack(
        rx.text(T["auto.intro"], color_scheme="gray"),
        toolbar(),
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(T["auto.tab_rules"], value="rules"),
                rx.tabs.trigger(T["auto.tab_menus"], value="menus", on_click=MenusState.open_menus),
                rx.tabs.trigger(T["auto.tab_hours"], value="hours"),
                flex_wrap="wrap",
            ),
            rx.tabs.content(rules_tab(), value="rules", padding_top="1em"),
            rx.tabs.content(menus_tab(), value="menus", padding_top="1em"),
            rx.tabs.content(hours_tab(), value="hours", padding_top="1em"),
            value=A.tab,
            on_change=A.set_tab,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def automations_page() -> rx.Component:
    return shell(
        rx.cond(
            A.is_manager,
            _manager_page(),
            rx.callout(T["auto.managers_only"], icon="lock", color_scheme="amber", role="status"),
        ),
        title=T["auto.title"],
    )
