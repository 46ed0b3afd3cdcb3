"""The app shell: a sidebar with every section, the user and sign-out.

On a phone (assets/styles.css, below 768 px) the sidebar folds away behind a menu button; the
open/closed state is a hidden checkbox, so it works before and without any script.
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.config import get_settings
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.auth.company_switcher import company_switcher
from whatsapp_saas.ui.auth.forms import sign_out_form
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import language_switch
from whatsapp_saas.whatsapp.drivers.registry import spec_for

NAV_ITEMS: list[tuple[str, str, str]] = [
    ("nav.dashboard", routes.DASHBOARD, "layout_dashboard"),
    ("nav.whatsapp", routes.WHATSAPP, "smartphone"),
    ("nav.inbox", routes.INBOX, "inbox"),
    ("nav.contacts", routes.CONTACTS, "contact"),
    ("nav.pipeline", routes.PIPELINE, "kanban"),
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
    if spec_for(get_settings().whatsapp_driver).simulated:
        # Managers only: the page plays customers of the tenant's own numbers.
        link = _nav_link("nav.simulator", routes.SIMULATOR, "flask_conical")
        return [rx.cond(AppState.is_manager, link)]
    return []


def demo_banner() -> rx.Component:
    """Production on the simulated network (ALLOW_SIMULATOR_IN_PRODUCTION): say so everywhere."""
    if not get_settings().simulator_demo:
        return rx.fragment()
    return rx.callout(
        AppState.t["wa.demo_banner"],
        icon="flask_conical",
        color_scheme="amber",
        size="1",
        role="status",
        width="100%",
        data_testid="demo-banner",
    )


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
            language_switch("sidebar-language", stacked=True),
            rx.text(AppState.user_name, size="2", weight="medium", truncate=True, width="100%"),
            rx.text(
                AppState.user_email, size="1", color_scheme="gray", truncate=True, width="100%"
            ),
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
        class_name="app-sidebar",
        id="app-sidebar",
    )


NAV_TOGGLE = "nav-toggle"


def _menu_button() -> rx.Component:
    """Shown on phones only: opens the folded sidebar (a label for the hidden checkbox)."""
    return rx.el.label(
        rx.icon("menu", size=20),
        html_for=NAV_TOGGLE,
        class_name="nav-open",
        aria_label=AppState.t["ibx.open_menu"],
        title=AppState.t["ibx.open_menu"],
        role="button",
    )


def shell(
    *content: rx.Component,
    title: rx.Var | str,
    extra_links: list[rx.Component] | None = None,
    header: list[rx.Component] | None = None,
    full_height: bool = False,
) -> rx.Component:
    """A page: sidebar and content. ``full_height`` pages (the inbox) fill the window exactly,
    with a one-line header, so their own panes scroll instead of the page."""
    heading = rx.hstack(
        _menu_button(),
        rx.heading(title, size="5" if full_height else "7"),
        *(header or []),
        align="center",
        spacing="3",
        width="100%",
        wrap="wrap",
    )
    main = rx.box(
        rx.vstack(
            demo_banner(),
            heading,
            *content,
            spacing="2" if full_height else "5",
            width="100%",
            height="100%" if full_height else "auto",
        ),
        width="100%",
        min_width="0",
        class_name="app-main app-main-full" if full_height else "app-main",
    )
    return rx.box(
        rx.el.input(
            type="checkbox",
            id=NAV_TOGGLE,
            class_name="nav-toggle",
            aria_hidden="true",
            tab_index=-1,
        ),
        sidebar(extra_links),
        rx.el.label(html_for=NAV_TOGGLE, class_name="nav-backdrop", aria_hidden="true"),
        main,
        class_name="app-shell",
        width="100%",
    )
