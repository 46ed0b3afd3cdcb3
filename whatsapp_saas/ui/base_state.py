"""The base state: UI language and the signed-in user. Feature states subclass it.

The session token lives in a browser cookie; only its hash is in the database. Every
protected handler re-resolves the token, so a revoked session or a disabled user stops working
at once, not at the next page load.
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
from whatsapp_saas.ui.db import in_session

SESSION_COOKIE_SECONDS = get_settings().auth_session_hours * 3600


class AppState(rx.State):
    lang: str = rx.LocalStorage("", name="wa_lang", sync=True)
    token: str = rx.Cookie(
        "", name="wa_session", max_age=SESSION_COOKIE_SECONDS, same_site="strict"
    )
    user_name: str = ""
    user_email: str = ""
    tenant_name: str = ""
    role: str = ""
    user_timezone: str = "UTC"
    signed_in: bool = False

    @rx.var
    def t(self) -> dict[str, str]:
        return catalog(self.lang or "pt-BR")

    @rx.var
    def is_manager(self) -> bool:
        return self.role in ("owner", "admin")

    def tr(self, key: str, **params: object) -> str:
        return translate(self.lang or "pt-BR", key, **params)

    def error_text(self, error: UserError) -> str:
        return self.tr(error.code, **error.params)

    def format_time(self, value: datetime | None) -> str:
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
            user = await self.current_user()
            if user is not None:
                await _save_language(user, language)

    async def current_user(self) -> CurrentUser | None:
        token = self.token
        return await in_session(lambda s: accounts.resolve_session(s, token))

    def remember(self, user: CurrentUser) -> None:
        self.user_name, self.user_email = user.name, user.email
        self.tenant_name, self.role = user.tenant_name, user.role
        self.user_timezone, self.signed_in = user.timezone, True

    def forget(self) -> None:
        self.token, self.signed_in = "", False
        self.user_name = self.user_email = self.tenant_name = self.role = ""

    @rx.event
    async def require_login(self):  # type: ignore[no-untyped-def]
        """on_load of every protected page."""
        self.detect_language()
        user = await self.current_user()
        if user is None:
            self.forget()
            return rx.redirect(routes.LOGIN)
        self.remember(user)
        return None

    @rx.event
    async def sign_out(self):  # type: ignore[no-untyped-def]
        from whatsapp_saas.ui.realtime import leave_feed  # it reads this state: import late

        token = self.token
        await in_session(lambda s: accounts.sign_out(s, token))
        await leave_feed(self)
        self.forget()
        return rx.redirect(routes.LOGIN)


async def _save_language(user: CurrentUser, language: str) -> None:
    from whatsapp_saas.tenancy.scope import TenantScope

    await in_session(
        lambda s: accounts.update_preferences(
            TenantScope(s, user.tenant_id), user, language=language
        )
    )
