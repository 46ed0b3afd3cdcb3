"""The dashboard: the tenant's real counts."""

from __future__ import annotations

import reflex as rx

from whatsapp_saas.dashboard import tenant_counts
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import stat_card
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.layout import shell


class DashboardState(AppState):
    users: int = 0
    active_users: int = 0
    pending_invites: int = 0

    @rx.var
    def welcome(self) -> str:
        return self._tr("dashboard.welcome", name=self.user_name)

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        user = await self._current_user()
        if user is None:
            return None
        counts = await in_session(lambda s: tenant_counts(TenantScope(s, user.tenant_id)))
        self.users, self.active_users = counts.users, counts.active_users
        self.pending_invites = counts.pending_invites
        return None


def dashboard_page() -> rx.Component:
    return shell(
        rx.text(DashboardState.welcome, size="4"),
        rx.flex(
            stat_card(DashboardState.t["dashboard.users"], DashboardState.users, "count-users"),
            stat_card(
                DashboardState.t["dashboard.active_users"],
                DashboardState.active_users,
                "count-active-users",
            ),
            stat_card(
                DashboardState.t["dashboard.pending_invites"],
                DashboardState.pending_invites,
                "count-invites",
            ),
            gap="1em",
            wrap="wrap",
        ),
        title=DashboardState.t["dashboard.title"],
    )
