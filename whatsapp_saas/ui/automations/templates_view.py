"""The Rules toolbar's "Templates" button: a dialog of ready-made rules (pt-BR and en) that
creates the chosen one, switched off, and opens nothing else (automations.templates). The
out-of-hours template fills in the Business hours reply instead and opens that tab."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import templates
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.automations.hours_state import HoursState
from whatsapp_saas.ui.automations.state import AutomationsState
from whatsapp_saas.ui.base_state import AppState


class TemplatesState(AppState):
    open: bool = False
    items: list[dict[str, str]] = []
    error: str = ""

    @rx.event
    def open_templates(self) -> None:
        """Only the caller's own dialog: the texts are the code's, nothing is read."""
        lang = self.lang or templates.PT
        self.items = [
            {
                "key": t.key,
                "name": t.text(t.names, lang),
                "description": t.text(t.descriptions, lang),
            }
            for t in templates.available()
        ]
        self.open, self.error = True, ""

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = bool(value)

    @rx.event
    async def use_template(self, key: str) -> None:
        language = self.lang or templates.PT

        def work(scope: TenantScope, user: CurrentUser) -> templates.Used:
            return templates.use_template(scope, actor=user, key=str(key), language=language)

        outcome = await act(self, work, managers_only=True)
        self.error = outcome.error
        if not outcome.ok or outcome.value is None:
            return
        used = outcome.value
        self.open = False
        page = await self.get_state(AutomationsState)
        if used.setting:  # the out-of-hours reply: shown where it is switched on
            hours = await self.get_state(HoursState)
            await hours._load("company")  # the reply is the company's
            page.tab = "hours"
            hours.hours_notice = self._tr(
                "auto.template_ooh_on" if used.on else "auto.template_ooh_off"
            )
            return
        await page._refresh()
        page.panel, page.tab = "list", "rules"
        page.notice = self._tr("auto.template_created", name=used.name)


S = TemplatesState
T = S.t


def _item(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text(row["name"], weight="bold"),
                rx.text(row["description"], size="2", color_scheme="gray"),
                spacing="1",
                flex="1",
                min_width="0",
            ),
            rx.button(
                T["auto.use_template"],
                size="2",
                variant="soft",
                on_click=S.use_template(row["key"]),
                aria_label=T["auto.use_template"] + ": " + row["name"],
            ),
            spacing="3",
            align="center",
            direction=rx.breakpoints(initial="column", sm="row"),
        ),
        width="100%",
    )


def templates_button() -> rx.Component:
    return rx.fragment(
        rx.button(
            rx.icon("layout-template"),
            T["auto.templates"],
            variant="soft",
            on_click=S.open_templates,
            aria_label=T["auto.templates"],
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(T["auto.templates_title"]),
                rx.dialog.description(T["auto.templates_intro"], size="2"),
                rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", role="alert")),
                rx.vstack(rx.foreach(S.items, _item), spacing="2", width="100%", margin_y="3"),
                rx.flex(
                    rx.dialog.close(
                        rx.button(T["auto.close"], variant="soft", color_scheme="gray")
                    ),
                    justify="end",
                ),
                max_width="560px",
            ),
            open=S.open,
            on_open_change=S.set_open,
        ),
    )
