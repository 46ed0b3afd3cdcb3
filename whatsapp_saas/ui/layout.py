"""The app shell: a sidebar with every section, the user and sign-out."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.config import get_settings
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.auth.company_switcher import company_switcher
from whatsapp_saas.ui.auth.forms import sign_out_form
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import language_switch

NAV_ITEMS: list[tuple[str, str, str]] = [
    ("nav.dashboard", routes.DASHBOARD, "layout_dashboard"),
    ("nav.whatsapp", routes.WHATSAPP, "smartphone"),
    ("nav.inbox", routes.INBOX, "inbox"),
    ("nav.contacts", routes.CONTACTS, "contact"),
    ("nav.automations", routes.AUTOMATIONS, "workflow"),
    ("nav.ai", routes.AI, "bot"),
    ("nav.scheduling", routes.SCHEDULING, "calendar_clock"),
    ("nav.settings", routes.SETTINGS, "settings"),
]


def _nav_link(label_key: str, href: str, icon: str) -> rx.Component:
    active = AppState.router.page.path == href
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18), rx.text(AppState.t[label_key]), spacing="3", align="center"
        ),
        href=href,
        underline="none",
        padding="0.5em 0.75em",
        border_radius="8px",
        width="100%",
        background=rx.cond(active, "var(--accent-4)", "transparent"),
        color=rx.cond(active, "var(--accent-12)", "var(--gray-12)"),
        _hover={"background": "var(--accent-3)"},
    )


def _extra_links() -> list[rx.Component]:
    if get_settings().whatsapp_driver == "simulator":
        return [_nav_link("nav.simulator", routes.SIMULATOR, "flask_conical")]
    return []


def sidebar(extra_links: list[rx.Component] | None = None) -> rx.Component:
    return rx.vstack(
        rx.heading(AppState.t["app.name"], size="5", padding="0.5em 0.75em"),
        rx.text(AppState.tenant_name, size="2", color_scheme="gray", padding_x="0.75em"),
        company_switcher(),
        rx.el.nav(
            rx.vstack(
                *[_nav_link(*item) for item in NAV_ITEMS],
                *_extra_links(),
                *(extra_links or []),
                spacing="1",
            ),
            aria_label="Main",
            width="100%",
        ),
        rx.spacer(),
        rx.vstack(
            language_switch("sidebar-language"),
            rx.text(AppState.user_name, size="2", weight="medium"),
            rx.text(AppState.user_email, size="1", color_scheme="gray"),
            rx.button(
                rx.icon("log_out", size=16),
                AppState.t["nav.sign_out"],
                on_click=AppState.sign_out,
                variant="soft",
                width="100%",
            ),
            sign_out_form(),
            padding="0.75em",
            spacing="2",
            width="100%",
        ),
        width="240px",
        min_width="240px",
        height="100vh",
        position="sticky",
        top="0",
        border_right="1px solid var(--gray-5)",
        background="var(--gray-2)",
        padding_y="1em",
        spacing="2",
    )


def shell(
    *content: rx.Component, title: rx.Var | str, extra_links: list[rx.Component] | None = None
) -> rx.Component:
    return rx.hstack(
        sidebar(extra_links),
        rx.box(
            rx.vstack(rx.heading(title, size="7"), *content, spacing="5", width="100%"),
            padding="2em",
            width="100%",
            min_width="0",
        ),
        spacing="0",
        align="start",
        width="100%",
    )
