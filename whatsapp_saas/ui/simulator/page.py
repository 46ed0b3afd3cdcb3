"""Simulated phone: link a number (QR text or pairing code), and write to it as a customer.

For demos and testers, and for owners and admins only: it plays the phones of the company's
own numbers (the checks are in :mod:`whatsapp_saas.ui.simulator.state`, on the server).
"""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.ui.components import error_callout, success_callout, text_field
from whatsapp_saas.ui.layout import shell
from whatsapp_saas.ui.simulator.state import SimulatorState
from whatsapp_saas.ui.whatsapp.linking import LinkingFeed

__all__ = ["SimulatorState", "simulator_page"]

T = SimulatorState.t
PHONE_EXAMPLE = "+55 11 99999-0000"


def _waiting_code(code: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(code["name"], weight="medium", size="2"),
        rx.code(code["qr_text"], size="1", word_break="break-all", data_testid="sim-qr-text"),
        rx.button(
            rx.icon("scan_line", size=16),
            T["sim.scan_here"],
            size="1",
            variant="soft",
            type="button",
            on_click=rx.set_value("sim-qr", code["qr_text"]),
        ),
        spacing="1",
        width="100%",
        data_testid="sim-waiting",
    )


def _waiting_codes() -> rx.Component:
    return rx.cond(
        LinkingFeed.qr_codes.length() > 0,
        rx.vstack(
            rx.text(T["sim.waiting_title"], size="2", color_scheme="gray"),
            rx.foreach(LinkingFeed.qr_codes, _waiting_code),
            width="100%",
        ),
        rx.text(T["sim.none_waiting"], size="2", color_scheme="gray"),
    )


def _phone_field(label: str, name: str, field_id: str, example: str = PHONE_EXAMPLE):
    return text_field(label, name, id=field_id, type_="tel", placeholder=example, required=True)


def _link_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _waiting_codes(),
            text_field("sim.qr_text", "qr", id="sim-qr", required=True),
            _phone_field("sim.business_phone", "phone", "sim-phone"),
            rx.button(T["sim.link"], type="submit"),
            align="start",
            width="100%",
        ),
        on_submit=SimulatorState.link,
        reset_on_submit=False,
    )


def _pair_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(T["sim.pair_help"], size="2", color_scheme="gray"),
            text_field(
                "sim.pair_code", "code", id="sim-code", placeholder="ABCD-EFGH", required=True
            ),
            _phone_field("sim.business_phone", "phone", "sim-pair-phone"),
            rx.button(T["sim.pair"], type="submit"),
            align="start",
            width="100%",
        ),
        on_submit=SimulatorState.pair,
        reset_on_submit=False,
    )


def _send_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _phone_field("sim.from", "from", "sim-from", "+55 11 98888-7777"),
            text_field("sim.push_name", "push_name", id="sim-push-name"),
            _phone_field("sim.to", "to", "sim-to"),
            text_field("sim.text", "text", id="sim-text", required=True),
            rx.button(T["sim.send"], type="submit"),
            align="start",
            width="100%",
        ),
        on_submit=SimulatorState.send,
        reset_on_submit=False,
    )


def _card(title_key: str, body: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(T[title_key], size="4", as_="h2"), body, width="100%"),
        flex="1 1 300px",
        min_width="0",
    )


def _tools() -> rx.Component:
    return rx.vstack(
        error_callout(SimulatorState.error),
        success_callout(SimulatorState.notice),
        rx.flex(
            _card("sim.link_title", _link_form()),
            _card("sim.pair_title", _pair_form()),
            _card("sim.send_title", _send_form()),
            gap="1em",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
    )


def simulator_page() -> rx.Component:
    return shell(
        rx.text(T["sim.intro"], color_scheme="gray"),
        rx.cond(
            SimulatorState.available,
            rx.cond(
                SimulatorState.is_manager,
                _tools(),
                rx.callout(T["sim.managers_only"], icon="lock", data_testid="sim-managers-only"),
            ),
            rx.callout(T["sim.unavailable"], icon="info"),
        ),
        title=T["sim.title"],
    )
