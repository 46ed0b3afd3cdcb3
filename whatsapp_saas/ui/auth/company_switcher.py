"""The sidebar's company switcher, for a person who belongs to more than one company."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.auth.forms import session_form
from whatsapp_saas.ui.base_state import AppState

SWITCHER_ID = "company-switcher"


def company_switcher() -> rx.Component:
    """A native <select> (keyboard- and test-friendly); hidden with only one company.

    Choosing a company posts a one-time code to ``/auth/session`` through the hidden form, so
    the new session's cookie is HttpOnly like any other.
    """
    return rx.fragment(
        rx.cond(
            AppState.companies.length() > 1,
            rx.vstack(
                rx.el.label(
                    AppState.t["nav.company"], html_for=SWITCHER_ID, class_name="field-label"
                ),
                rx.el.select(
                    rx.foreach(
                        AppState.companies,
                        lambda c: rx.el.option(c["name"], value=c["id"]),
                    ),
                    id=SWITCHER_ID,
                    value=AppState.active_tenant_id,
                    on_change=AppState.switch_company,
                    class_name="lang-select",
                    style={"width": "100%"},
                ),
                spacing="1",
                width="100%",
                padding_x="0.75em",
            ),
        ),
        session_form(),
    )
