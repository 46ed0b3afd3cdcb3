"""Settings → Users: list, invite, disable and re-enable colleagues."""

from __future__ import annotations

import asyncio
from typing import Any
from zoneinfo import available_timezones

import reflex as rx

from whatsapp_saas.accounts import preferences
from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.mailer import InviteMail, send_invite, smtp_configured
from whatsapp_saas.accounts.models import Invite, User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session

TIMEZONES = sorted(available_timezones())


class UsersState(AppState):
    users: list[dict[str, str]] = []
    invites: list[dict[str, str]] = []
    error: str = ""
    invite_link: str = ""
    invite_copied: bool = False
    invite_notice: str = ""
    saved_notice: str = ""
    read_receipts: bool = False

    @rx.var
    def timezones(self) -> list[str]:
        return TIMEZONES

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.error = self.invite_link = self.invite_notice = self.saved_notice = ""
        await self._refresh()
        return None

    async def _refresh(self) -> None:
        user = await self._current_user()
        if user is None:
            return
        users, invites = await in_session(lambda s: _load_team(s, user))
        self.read_receipts = await in_session(
            lambda s: preferences.get_tenant(s, tenant_id=user.tenant_id).send_read_receipts
        )
        self.users = [self._user_row(u, user) for u in users]
        self.invites = [self._invite_row(i) for i in invites]

    def _user_row(self, user: User, me: CurrentUser) -> dict[str, str]:
        return {
            "id": str(user.id),
            "name": user.name,
            "email": user.email,
            "role": self._tr(f"role.{user.role}"),
            "role_code": user.role,
            "status": self._tr("users.active" if user.is_active else "users.disabled"),
            "active": "yes" if user.is_active else "",
            "created": self._format_time(user.created_at),
            "last_login": self._format_time(user.last_login_at) or self._tr("users.never"),
            "can_change": "yes"
            if me.is_manager and user.role != "owner" and user.id != me.user_id
            else "",
        }

    def _invite_row(self, invite: Invite) -> dict[str, str]:
        return {
            "id": str(invite.id),
            "name": invite.name,
            "email": invite.email,
            "role": self._tr(f"role.{invite.role}"),
            "expires": self._format_time(invite.expires_at),
        }

    async def _act(self, work) -> bool:  # type: ignore[no-untyped-def]
        """Run a team change as the signed-in user, then show the team as it is now."""
        outcome = await act(self, work)
        self.error = outcome.error
        if outcome.ok:
            await self._refresh()
        return outcome.ok

    @rx.event
    async def invite(self, form: dict[str, Any]) -> None:
        email, name = str(form.get("email", "")), str(form.get("name", ""))
        role = str(form.get("role", "agent"))
        issued: list[accounts.IssuedInvite] = []
        self.invite_link = ""
        ok = await self._act(
            lambda scope, me: issued.append(
                accounts.invite_user(scope, actor=me, email=email, name=name, role=role)
            )
        )
        if ok and issued:
            settings = get_settings()
            address = email.strip().lower()
            self.invite_link = f"{settings.app_base_url.rstrip('/')}/invite/{issued[0].token}"
            self.invite_copied = False
            notice = "users.invite_link"
            if smtp_configured(settings):
                mail = await self._invite_mail(address, name, self.invite_link)
                sent = mail is not None and await asyncio.to_thread(send_invite, settings, mail)
                notice = "users.invite_emailed" if sent else "users.invite_email_failed"
            self.invite_notice = self._tr(notice, email=address, hours=settings.invite_valid_hours)

    async def _invite_mail(self, address: str, name: str, link: str) -> InviteMail | None:
        me = await self._current_user()
        if me is None:
            return None
        return InviteMail(
            to=address,
            name=" ".join(name.split()),
            company=me.tenant_name,
            inviter=me.name,
            link=link,
            hours=get_settings().invite_valid_hours,
            language=self.lang or me.language,
        )

    @rx.event
    def note_link_copied(self) -> None:
        self.invite_copied = True

    @rx.event
    async def set_active(self, user_id: str, active: bool) -> None:
        await self._act(
            lambda scope, me: accounts.set_user_active(
                scope, actor=me, user_id=int(user_id), active=active
            )
        )

    @rx.event
    async def set_read_receipts(self, enabled: bool) -> None:
        self.error = ""
        user = await self._current_user()
        if user is None:
            return
        try:
            await in_session(
                lambda s: preferences.set_read_receipts(s, actor=user, enabled=bool(enabled))
            )
        except UserError as err:
            self.error = self._error_text(err)
            return
        self.read_receipts = bool(enabled)

    @rx.event
    async def change_role(self, user_id: str, role: str) -> None:
        await self._act(
            lambda scope, me: accounts.set_user_role(
                scope, actor=me, user_id=int(user_id), role=role
            )
        )

    @rx.event
    async def revoke_invite(self, invite_id: str) -> None:
        await self._act(
            lambda scope, me: accounts.revoke_invite(scope, actor=me, invite_id=int(invite_id))
        )

    @rx.event
    async def save_timezone(self, form: dict[str, Any]) -> None:
        zone = str(form.get("timezone", ""))
        self.saved_notice = ""
        if await self._act(
            lambda scope, me: accounts.update_preferences(scope, actor=me, timezone=zone)
        ):
            self.user_timezone = zone
            self.saved_notice = self._tr("settings.saved")
            await self._refresh()


def _load_team(session, me: CurrentUser) -> tuple[list[User], list[Invite]]:  # type: ignore[no-untyped-def]
    scope = TenantScope(session, me.tenant_id)
    return accounts.list_users(scope), accounts.list_pending_invites(scope)
