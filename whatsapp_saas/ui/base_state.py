"""The base state: UI language and the signed-in user. Feature states subclass it.

The session token lives in an HttpOnly cookie that only HTTP routes set and clear
(``ui/auth/session_routes.py``); page scripts cannot read it and no state var holds it. The
websocket's request carries only the token's hash (``wa_session_ref``), which is also all the
database keeps. Every protected handler re-resolves it, so a revoked session or a disabled user
stops working at once, not at the next page load.
"""

from __future__ import annotations

from datetime import datetime

import reflex as rx

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog, normalise_language, translate
from whatsapp_saas.i18n.formatting import format_datetime
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.auth.client_ip import client_ip
from whatsapp_saas.ui.auth.forms import SESSION_FORM_ID, SIGN_OUT_FORM_ID, submit_form_script
from whatsapp_saas.ui.auth.session_routes import session_ref_from_cookie_header
from whatsapp_saas.ui.db import in_session


class AppState(rx.State):
    lang: str = rx.LocalStorage("", name="wa_lang", sync=True)
    user_name: str = ""
    user_email: str = ""
    tenant_name: str = ""
    role: str = ""
    user_timezone: str = "UTC"
    signed_in: bool = False
    # The active company, and every company this person may switch to (the sidebar switcher).
    active_tenant_id: str = ""
    companies: list[dict[str, str]] = []

    @rx.var
    def t(self) -> dict[str, str]:
        return catalog(self.lang or "pt-BR")

    @rx.var
    def is_manager(self) -> bool:
        return self.role in ("owner", "admin")

    def _tr(self, key: str, **params: object) -> str:
        return translate(self.lang or "pt-BR", key, **params)

    def _error_text(self, error: UserError) -> str:
        return self._tr(error.code, **error.params)

    def _format_time(self, value: datetime | None) -> str:
        """The one date-and-time format of the user's language, in the user's timezone."""
        return format_datetime(value, self.lang or DEFAULT_LANGUAGE, self.user_timezone)

    @rx.event
    def detect_language(self) -> None:
        """First visit: follow the browser's language until the user picks one."""
        if not self.lang:
            self.lang = normalise_language(self.router.headers.accept_language)

    @rx.event
    async def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            return
        self.lang = language
        if self.signed_in:
            user = await self._current_user()
            if user is not None:
                await _save_language(user, language)

    def _session_ref(self) -> str | None:
        """The session token's hash, from the websocket's Cookie header (see the module doc)."""
        return session_ref_from_cookie_header(self.router.headers.cookie)

    def _client_ip(self) -> str | None:
        headers = self.router.headers.raw_headers
        return client_ip(
            self.router.session.client_ip,
            headers.get("x-forwarded-for"),
            get_settings().trusted_proxy_hops,
        )

    async def _current_user(self) -> CurrentUser | None:
        ref = self._session_ref()
        return await in_session(lambda s: accounts.resolve_session_hash(s, hashed=ref))

    def _remember(self, user: CurrentUser) -> None:
        self.user_name, self.user_email = user.name, user.email
        self.tenant_name, self.role = user.tenant_name, user.role
        self.user_timezone, self.signed_in = user.timezone, True
        self.active_tenant_id = str(user.tenant_id)

    def _forget(self) -> None:
        self.signed_in, self.active_tenant_id, self.companies = False, "", []
        self.user_name = self.user_email = self.tenant_name = self.role = ""

    @rx.event
    async def require_login(self):  # type: ignore[no-untyped-def]
        """on_load of every protected page."""
        self.detect_language()
        user = await self._current_user()
        if user is None:
            self._forget()
            return rx.redirect(routes.LOGIN)
        self._remember(user)
        companies = await in_session(lambda s: accounts.companies_of(s, email=user.email))
        self.companies = [{"id": str(c.tenant_id), "name": c.name} for c in companies]
        return None

    @rx.event
    async def switch_company(self, tenant_id: str):  # type: ignore[no-untyped-def]
        """Sign the same person into another of their companies (a new session cookie)."""
        user = await self._current_user()
        if user is None:
            self._forget()
            return rx.redirect(routes.LOGIN)
        if not tenant_id.isdigit() or int(tenant_id) == user.tenant_id:
            return None
        ref = self._session_ref()
        try:
            code = await in_session(
                lambda s: accounts.switch_company(
                    s, actor=user, tenant_id=int(tenant_id), current_hash=ref
                )
            )
        except UserError:
            return None  # not one of theirs (or no longer): the switcher stays as it is
        return rx.call_script(submit_form_script(SESSION_FORM_ID, code=code))

    @rx.event
    async def sign_out(self):  # type: ignore[no-untyped-def]
        """End the session here at once; the sign-out route then clears the cookie."""
        from whatsapp_saas.ui.realtime import leave_feed, stop_inbox_feed  # import late

        ref = self._session_ref()
        await in_session(lambda s: accounts.sign_out_hash(s, hashed=ref))
        await leave_feed(self)
        await stop_inbox_feed(self)
        self._forget()
        return rx.call_script(submit_form_script(SIGN_OUT_FORM_ID))


async def _save_language(user: CurrentUser, language: str) -> None:
    from whatsapp_saas.tenancy.scope import TenantScope

    await in_session(
        lambda s: accounts.update_preferences(
            TenantScope(s, user.tenant_id), actor=user, language=language
        )
    )
