"""Handlers for the public account forms.

None of them sets the session cookie: a websocket cannot set an HttpOnly one. Each checks what
it must (password, invitation), then asks the page to post a one-time code to
``/auth/session`` (see ``session_routes.py``), which answers with the cookie.
Errors are kept as a code and parameters, so they follow the language switch.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import normalise_language
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.auth.forms import SESSION_FORM_ID, submit_form_script
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session


def _go_signed_in(code: str) -> EventSpec:
    return rx.call_script(submit_form_script(SESSION_FORM_ID, code=code))


class AuthFormState(AppState):
    error_code: str = ""
    error_params: dict[str, str] = {}
    notice_code: str = ""
    busy: bool = False

    @rx.var
    def error(self) -> str:
        return self._tr(self.error_code, **self.error_params) if self.error_code else ""

    @rx.var
    def notice(self) -> str:
        return self._tr(self.notice_code) if self.notice_code else ""

    @rx.var
    def password_hint(self) -> str:
        return self._tr("auth.password_hint", min=get_settings().password_min_length)

    def _show_error(self, err: UserError | None) -> None:
        self.error_code = err.code if err else ""
        self.error_params = {k: str(v) for k, v in err.params.items()} if err else {}

    @rx.event
    async def open_public_page(self):  # type: ignore[no-untyped-def]
        """on_load of login/sign-up: already signed in → dashboard."""
        self.detect_language()
        self._show_error(None)
        self.busy = False
        if await self._current_user() is not None:
            return rx.redirect(routes.DASHBOARD)
        return None

    @rx.event
    async def sign_in(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        ip = self._client_ip()
        self.busy, self.notice_code = True, ""
        self._show_error(None)
        yield
        try:
            code = await in_session(lambda s: _check_and_code(s, email, password, ip))
        except UserError as err:
            self.busy = False
            self._show_error(err)
            return
        yield _go_signed_in(code)

    @rx.event
    async def sign_up(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        fields = {k: str(form.get(k, "")) for k in ("company_name", "name", "email", "password")}
        language = self.lang or normalise_language(self.router.headers.accept_language)
        ip = self._client_ip()
        self.busy = True
        self._show_error(None)
        yield
        try:
            code = await in_session(lambda s: _sign_up_and_code(s, fields, language, ip))
        except UserError as err:
            self.busy = False
            self._show_error(err)
            return
        yield _go_signed_in(code)


def _check_and_code(session: Session, email: str, password: str, ip: str | None) -> str:
    user = accounts.check_credentials(session, email=email, password=password, ip=ip)
    return accounts.issue_sign_in_code(session, user=user)


def _sign_up_and_code(
    session: Session, fields: dict[str, str], language: str, ip: str | None
) -> str:
    user = accounts.signup(session, **fields, language=language, ip=ip)
    return accounts.issue_sign_in_code(session, user=user)


class InviteState(AuthFormState):
    invite_email: str = ""
    invite_company: str = ""
    invite_name: str = ""
    invite_valid: bool = False
    invite_has_account: bool = False

    @rx.var
    def invite_title(self) -> str:
        return self._tr("invite.title", company=self.invite_company)

    @rx.var
    def invite_intro(self) -> str:
        return self._tr("invite.intro", email=self.invite_email)

    @rx.event
    async def load_invite(self) -> None:
        self.detect_language()
        self._show_error(None)
        self.busy = False
        token = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            details = await in_session(lambda s: _invite_details(s, token))
        except UserError as err:
            self.invite_valid = False
            self._show_error(err)
            return
        self.invite_valid = True
        self.invite_email, self.invite_company, self.invite_name, self.invite_has_account = details

    @rx.event
    async def accept(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        """Accept, and be signed in straight away (no second trip through the sign-in form)."""
        token = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        password, name = str(form.get("password", "")), str(form.get("name", ""))
        ip = self._client_ip()
        self.busy = True
        self._show_error(None)
        yield
        try:
            code = await in_session(lambda s: _accept_and_code(s, token, password, name, ip))
        except UserError as err:
            self.busy = False
            self._show_error(err)
            return
        self.invite_valid = False
        yield _go_signed_in(code)


def _accept_and_code(session: Session, token: str, password: str, name: str, ip: str | None) -> str:
    user = accounts.accept_invite(session, token=token, password=password, name=name, ip=ip)
    return accounts.issue_sign_in_code(session, user=user)


def _invite_details(session: Session, token: str) -> tuple[str, str, str, bool]:
    from whatsapp_saas.tenancy.models import Tenant

    invite = accounts.find_invite(session, token=token)
    tenant = session.get(Tenant, invite.tenant_id)
    has_account = accounts.invite_has_account(session, token=token)
    return invite.email, tenant.name if tenant else "", invite.name, has_account
