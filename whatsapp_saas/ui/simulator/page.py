"""Simulated phone: link a number by pasting its QR text, and write to it as a customer.

For demos and testers; it talks to the simulator's control API exactly as a test would.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.config import get_settings
from whatsapp_saas.simulator.client import SimulatorClient, SimulatorError
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.layout import shell


def _simulator_url() -> str:
    from whatsapp_saas.whatsapp.manager import effective_simulator_url

    return effective_simulator_url()


class SimulatorState(AppState):
    error: str = ""
    notice: str = ""

    @rx.var
    def available(self) -> bool:
        return get_settings().whatsapp_driver == "simulator"

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.error = self.notice = ""
        return await self.require_login()

    async def _call(self, action: str, form: dict[str, Any]) -> None:
        self.error = self.notice = ""
        if await self.current_user() is None or not self.available:
            self.error = self.tr("sim.unavailable")
            return
        try:
            async with SimulatorClient(_simulator_url()) as client:
                await self._run(client, action, form)
        except SimulatorError as err:
            self.error = self.tr("sim.failed", detail=str(err))
        except OSError as err:
            self.error = self.tr("sim.failed", detail=type(err).__name__)

    async def _run(self, client: SimulatorClient, action: str, form: dict[str, Any]) -> None:
        if action == "link":
            await client.link(str(form["qr"]).strip(), str(form["phone"]).strip())
            self.notice = self.tr("sim.linked", phone=form["phone"])
            return
        await client.send_message(
            str(form["from"]).strip(),
            str(form["to"]).strip(),
            str(form["text"]),
            push_name=str(form.get("push_name", "")) or None,
        )
        self.notice = self.tr("sim.sent", phone=form["to"])

    @rx.event
    async def link(self, form: dict[str, Any]) -> None:
        await self._call("link", form)

    @rx.event
    async def send(self, form: dict[str, Any]) -> None:
        await self._call("send", form)


T = SimulatorState.t


def _link_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            text_field("sim.qr_text", "qr", id="sim-qr", required=True),
            text_field(
                "sim.business_phone",
                "phone",
                id="sim-phone",
                type_="tel",
                placeholder="+5511999990000",
                required=True,
            ),
            rx.button(T["sim.link"], type="submit"),
            align="start",
            width="100%",
        ),
        on_submit=SimulatorState.link,
        reset_on_submit=False,
    )


def _send_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            text_field(
                "sim.from",
                "from",
                id="sim-from",
                type_="tel",
                placeholder="+5511988887777",
                required=True,
            ),
            text_field("sim.push_name", "push_name", id="sim-push-name"),
            text_field("sim.to", "to", id="sim-to", type_="tel", required=True),
            text_field("sim.text", "text", id="sim-text", required=True),
            rx.button(T["sim.send"], type="submit"),
            align="start",
            width="100%",
        ),
        on_submit=SimulatorState.send,
        reset_on_submit=False,
    )


def simulator_page() -> rx.Component:
    return shell(
        rx.text(T["sim.intro"], color_scheme="gray"),
        rx.cond(
            SimulatorState.available,
            rx.vstack(
                error_callout(SimulatorState.error),
                success_callout(SimulatorState.notice),
                rx.flex(
                    rx.card(
                        rx.vstack(
                            rx.heading(T["sim.link_title"], size="4", as_="h2"), _link_form()
                        ),
                        flex="1",
                        min_width="300px",
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading(T["sim.send_title"], size="4", as_="h2"), _send_form()
                        ),
                        flex="1",
                        min_width="300px",
                    ),
                    gap="1em",
                    wrap="wrap",
                    width="100%",
                ),
                width="100%",
            ),
            rx.callout(T["sim.unavailable"], icon="info"),
        ),
        title=T["sim.title"],
    )
