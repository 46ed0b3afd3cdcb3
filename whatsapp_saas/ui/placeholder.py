"""An honest page for sections that are not built yet."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.layout import shell


def placeholder_page(title_key: str) -> rx.Component:
    return shell(
        rx.callout.root(
            rx.callout.icon(rx.icon("construction")),
            rx.vstack(
                rx.text(AppState.t["placeholder.title"], weight="bold"),
                rx.text(AppState.t["placeholder.body"]),
                spacing="1",
            ),
            color_scheme="amber",
            role="status",
        ),
        title=AppState.t[title_key],
    )
