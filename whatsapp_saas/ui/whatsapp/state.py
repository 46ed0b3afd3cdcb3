"""WhatsApp page handlers: they call the WhatsApp service; the feed shows the result live.

Every change is for managers (the service is reached through ``act(managers_only=True)``);
QR codes reach managers' tabs only, through :class:`LinkingFeed`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.graph import current_graph
from whatsapp_saas.ui.realtime import TenantFeed, feed_token
from whatsapp_saas.ui.whatsapp.linking import link_linking_feed
from whatsapp_saas.ui.whatsapp.view import tenant_numbers
from whatsapp_saas.whatsapp import service as numbers


class WhatsAppState(AppState):
    error: str = ""
    dialog_number_id: str = ""
    pairing_mode: bool = False
    pairing_code: str = ""
    pairing_busy: bool = False
    rename_number_id: str = ""
    rename_current: str = ""  # prefills the rename dialog

    @rx.var
    def dialog_open(self) -> bool:
        """Errors show inside an open dialog, not behind it."""
        return self.dialog_number_id != "" or self.rename_number_id != ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.error = ""
        user = await self._current_user()
        if user is not None:
            await self._link_feed(user)
        return None

    async def _link_feed(self, user: CurrentUser) -> None:
        feed = await self.get_state(TenantFeed)
        linked = await feed._link_to(feed_token(user.tenant_id))
        linked.numbers = await in_session(lambda s: tenant_numbers(s, user.tenant_id))
        await link_linking_feed(self, user)

    async def _change(
        self, work: Callable[[TenantScope], Any], *, managers_only: bool = True
    ) -> bool:
        """Run a change as the signed-in user; the feed refreshes through the event channel."""
        outcome = await act(self, lambda scope, _me: work(scope), managers_only=managers_only)
        self.error = outcome.error
        user = await self._current_user() if outcome.ok else None
        if user is not None:
            await self._link_feed(user)
        return outcome.ok

    @rx.event
    async def add_number(self, form: dict[str, Any]) -> None:
        name = str(form.get("name", ""))
        await self._change(lambda scope: numbers.add_number(scope, name=name))

    @rx.event
    async def connect(self, number_id: str) -> None:
        self.pairing_mode, self.pairing_code = False, ""
        if await self._change(
            lambda scope: numbers.request_connect(scope, number_id=int(number_id))
        ):
            self.dialog_number_id = number_id

    @rx.event
    def open_dialog(self, number_id: str) -> None:
        self.dialog_number_id, self.error = number_id, ""

    @rx.event
    def close_dialog(self, _open: bool = False) -> None:
        self.dialog_number_id, self.pairing_mode, self.pairing_code = "", False, ""
        self.error = ""

    @rx.event
    def toggle_pairing(self) -> None:
        self.pairing_mode, self.pairing_code, self.error = not self.pairing_mode, "", ""

    @rx.event
    async def confirm_new_phone(self, number_id: str) -> None:
        """The phone that scanned is this number's phone from now on."""
        await self._change(lambda scope: numbers.confirm_new_phone(scope, number_id=int(number_id)))

    @rx.event
    async def disconnect(self, number_id: str) -> None:
        await self._change(lambda scope: numbers.disconnect(scope, number_id=int(number_id)))

    @rx.event
    async def logout(self, number_id: str) -> None:
        await self._change(lambda scope: numbers.logout(scope, number_id=int(number_id)))

    @rx.event
    async def delete(self, number_id: str) -> None:
        await self._change(lambda scope: numbers.delete_number(scope, number_id=int(number_id)))

    @rx.event
    async def start_rename(self, number_id: str) -> None:
        self.error = ""
        feed = await self.get_state(TenantFeed)
        current = [row["name"] for row in feed.numbers if row.get("id") == number_id]
        self.rename_number_id, self.rename_current = number_id, current[0] if current else ""

    @rx.event
    def cancel_rename(self, _open: bool = False) -> None:
        self.rename_number_id, self.rename_current, self.error = "", "", ""

    @rx.event
    async def rename(self, form: dict[str, Any]) -> None:
        name, number_id = str(form.get("new_name", "")), self.rename_number_id
        if await self._change(
            lambda scope: numbers.rename_number(scope, number_id=int(number_id), name=name)
        ):
            self.rename_number_id, self.rename_current = "", ""
        else:
            self.rename_current = name  # what the user typed stays in the box

    @rx.event
    async def request_pairing_code(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        phone, number_id = str(form.get("phone", "")), int(self.dialog_number_id or 0)
        user = await self._current_user()
        if user is None or not user.is_manager:
            self.error = self._tr("error.permission_denied")
            return
        self.pairing_busy, self.error, self.pairing_code = True, "", ""
        yield
        try:
            self.pairing_code = await _pairing_code(user.tenant_id, number_id, phone)
        except UserError as err:
            self.error = self._error_text(err)
        except NotFound:
            self.error = self._tr("error.not_found")
        finally:
            self.pairing_busy = False


async def _pairing_code(tenant_id: int, number_id: int, phone: str) -> str:
    session: Session
    with session_scope() as session:
        return await numbers.request_pairing_code(
            TenantScope(session, tenant_id),
            number_id=number_id,
            phone=phone,
            control=current_graph().control,
        )
