"""An honest page for sections that are not built yet."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.layout import shell


def placeholder_page(title_key: str) -> rx.Component:
    return shell(
        rx.callout(
            AppState.t["placeholder.body"],
            title=AppState.t["placeholder.title"],
            icon="construction",
            color_scheme="amber",
        ),
        title=AppState.t[title_key],
    )
