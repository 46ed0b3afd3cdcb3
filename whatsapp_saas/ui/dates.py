"""A date and time on a page, drawn by the browser in the current language and the user's
timezone, so a language switch redraws it at once (a string formatted by the server keeps
the language it was made in).

The formats are i18n.formatting's: pt-BR ``01/12/2026 17:21``, English ``Dec 1, 2026 17:21``.
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.base_state import AppState

# moment.js tokens for i18n.formatting.format_datetime's two formats (keep them identical).
MOMENT_FORMATS = {"en": "MMM D, YYYY HH:mm", "pt-BR": "DD/MM/YYYY HH:mm"}


def moment_format() -> rx.Var:
    return rx.cond(AppState.lang == "en", MOMENT_FORMATS["en"], MOMENT_FORMATS["pt-BR"])


def local_time(iso: rx.Var | str, **props: object) -> rx.Component:
    """``iso`` (an ISO 8601 UTC time; "" draws nothing) as the user reads it."""
    return rx.cond(
        iso != "",
        rx.moment(
            iso,
            format=moment_format(),
            tz=AppState.user_timezone,
            locale=rx.cond(AppState.lang == "en", "en", "pt-br"),
            **props,
        ),
        rx.fragment(),
    )
