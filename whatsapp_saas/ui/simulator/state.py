"""Simulated phone handlers: managers play the phones of their own company's numbers.

Every handler re-reads the session, requires a manager, reads phones through the app's one
phone module, and checks in the database that the target is one of the tenant's numbers
before it touches the simulated network (:mod:`whatsapp_saas.whatsapp.simulated_phone`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from whatsapp_saas import phones
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.simulator.client import SimulatorClient, SimulatorError
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.graph import current_graph
from whatsapp_saas.ui.whatsapp.linking import link_linking_feed
from whatsapp_saas.whatsapp import simulated_phone as own
from whatsapp_saas.whatsapp.drivers.registry import spec_for

Step = Callable[[SimulatorClient, CurrentUser], Awaitable[str]]
# The simulator's 404 for each action, as a message a person understands.
NOT_FOUND = {
    "link": "sim.qr_unknown",
    "pair": "sim.code_unknown",
    "send": "sim.to_not_linked",
}


def _simulator_url() -> str:
    """The network of this process's graph (the one its manager's sessions use)."""
    simulator = current_graph().simulator
    if simulator is None:
        raise UserError("sim.unavailable")
    return simulator.url()


def _phone(form: dict[str, Any], field: str) -> str:
    return phones.require_e164(str(form.get(field, "")))


async def _in_tenant(user: CurrentUser, work: Callable[[TenantScope], Any]) -> Any:
    return await in_session(lambda s: work(TenantScope(s, user.tenant_id)))


class SimulatorState(AppState):
    error: str = ""
    notice: str = ""

    @rx.var
    def available(self) -> bool:
        return spec_for(get_settings().whatsapp_driver).simulated

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        self.error = self.notice = ""
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        user = await self._current_user()
        if user is not None and user.is_manager and self.available:
            await link_linking_feed(self, user)
        return None

    async def _run(self, action: str, step: Step) -> None:
        self.error = self.notice = ""
        user = await self._current_user()
        if user is None:
            self._forget()
            self.error = self._tr("auth.session_ended")
            return
        if not user.is_manager:
            self.error = self._tr("error.permission_denied")
            return
        if not self.available:
            self.error = self._tr("sim.unavailable")
            return
        try:
            async with SimulatorClient(_simulator_url()) as client:
                self.notice = await step(client, user)
        except UserError as err:
            self.error = self._error_text(err)
        except SimulatorError as err:
            key = NOT_FOUND[action] if err.status == 404 else "sim.refused"
            self.error = self._tr(key)
        except OSError:
            self.error = self._tr("sim.unreachable")

    async def _check_free(self, client: SimulatorClient, user: CurrentUser, phone: str) -> None:
        mine = await _in_tenant(user, own.own_number_ids)
        own.check_phone_free(mine, await client.sessions(), phone)

    @rx.event
    async def link(self, form: dict[str, Any]) -> None:
        async def step(client: SimulatorClient, user: CurrentUser) -> str:
            phone, qr = _phone(form, "phone"), str(form.get("qr", "")).strip()
            await _in_tenant(user, lambda scope: own.number_showing_qr(scope, qr=qr))
            await self._check_free(client, user, phone)
            await client.link(qr, phone)
            return self._tr("sim.linked", phone=phones.for_people(phone))

        await self._run("link", step)

    @rx.event
    async def pair(self, form: dict[str, Any]) -> None:
        async def step(client: SimulatorClient, user: CurrentUser) -> str:
            phone, code = _phone(form, "phone"), str(form.get("code", "")).strip().upper()
            await _in_tenant(user, lambda scope: own.number_with_pairing_code(scope, code=code))
            await self._check_free(client, user, phone)
            await client.pair(phone, code)
            return self._tr("sim.linked", phone=phones.for_people(phone))

        await self._run("pair", step)

    @rx.event
    async def send(self, form: dict[str, Any]) -> None:
        async def step(client: SimulatorClient, user: CurrentUser) -> str:
            sender, to = _phone(form, "from"), _phone(form, "to")
            text = str(form.get("text", "")).strip()
            if not text:
                raise UserError("sim.text_required")
            await _in_tenant(user, lambda scope: own.linked_number(scope, phone=to))
            name = str(form.get("push_name", "")).strip() or None
            await client.send_message(sender, to, text, push_name=name)
            return self._tr("sim.sent", phone=phones.for_people(to))

        await self._run("send", step)
