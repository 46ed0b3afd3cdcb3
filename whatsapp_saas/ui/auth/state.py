"""Handlers for the public account forms."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import normalise_language
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session


class AuthFormState(AppState):
    error: str = ""
    notice: str = ""
    busy: bool = False

    @rx.var
    def password_hint(self) -> str:
        return self.tr("auth.password_hint", min=get_settings().password_min_length)

    @rx.event
    async def open_public_page(self):  # type: ignore[no-untyped-def]
        """on_load of login/sign-up: already signed in → dashboard."""
        self.detect_language()
        self.error = ""
        if self.token and await self.current_user() is not None:
            return rx.redirect(routes.DASHBOARD)
        return None

    @rx.event
    async def sign_in(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        ip = self.router.session.client_ip
        self.busy, self.error, self.notice = True, "", ""
        yield
        try:
            issued = await in_session(
                lambda s: accounts.sign_in(s, email=email, password=password, ip=ip)
            )
        except UserError as err:
            self.busy, self.error = False, self.error_text(err)
            return
        self.busy, self.token = False, issued.token
        self.lang = normalise_language(issued.user.language)
        self.remember(issued.user)
        yield rx.redirect(routes.DASHBOARD)

    @rx.event
    async def sign_up(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        fields = {k: str(form.get(k, "")) for k in ("company_name", "name", "email", "password")}
        language = self.lang or normalise_language(self.router.headers.accept_language)
        self.busy, self.error = True, ""
        yield
        try:
            await in_session(lambda s: accounts.signup(s, **fields, language=language))
            issued = await in_session(
                lambda s: accounts.sign_in(s, email=fields["email"], password=fields["password"])
            )
        except UserError as err:
            self.busy, self.error = False, self.error_text(err)
            return
        self.busy, self.token = False, issued.token
        self.remember(issued.user)
        yield rx.redirect(routes.DASHBOARD)


class InviteState(AuthFormState):
    invite_email: str = ""
    invite_company: str = ""
    invite_name: str = ""
    invite_valid: bool = False
    accepted: bool = False

    @rx.var
    def invite_title(self) -> str:
        return self.tr("invite.title", company=self.invite_company)

    @rx.var
    def invite_intro(self) -> str:
        return self.tr("invite.intro", email=self.invite_email)

    @rx.event
    async def load_invite(self) -> None:
        self.detect_language()
        self.error, self.accepted = "", False
        token = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        try:
            details = await in_session(lambda s: _invite_details(s, token))
        except UserError as err:
            self.invite_valid, self.error = False, self.error_text(err)
            return
        self.invite_valid = True
        self.invite_email, self.invite_company, self.invite_name = details

    @rx.event
    async def accept(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        token = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        password, name = str(form.get("password", "")), str(form.get("name", ""))
        self.busy, self.error = True, ""
        yield
        try:
            await in_session(
                lambda s: accounts.accept_invite(s, token=token, password=password, name=name)
            )
        except UserError as err:
            self.busy, self.error = False, self.error_text(err)
            return
        self.busy, self.accepted, self.invite_valid = False, True, False
        self.notice = self.tr("invite.accepted")
        yield rx.redirect(routes.LOGIN)


def _invite_details(session, token: str) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    from whatsapp_saas.tenancy.models import Tenant

    invite = accounts.find_invite(session, token)
    tenant = session.get(Tenant, invite.tenant_id)
    return invite.email, tenant.name if tenant else "", invite.name
