"""The Business hours tab: weekly hours, time zone, holidays, the out-of-hours reply and the
human-takeover pause (managers only)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations.hours import brazilian_holidays
from whatsapp_saas.automations.service import require_manager
from whatsapp_saas.automations.settings import save_settings
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.automations import view
from whatsapp_saas.ui.automations.forms import field
from whatsapp_saas.ui.base_state import AppState

DAYS = range(7)


class HoursState(AppState):
    hours: dict[str, str] = {}
    hours_key: int = 0
    hours_error: str = ""
    hours_notice: str = ""
    ooh_enabled: bool = False

    @rx.event
    async def load_hours(self) -> None:
        def read(scope: TenantScope, user: CurrentUser) -> dict[str, str]:
            require_manager(user)
            return view.hours_form(scope)

        outcome = await act(self, read, managers_only=True)
        self.hours_error = outcome.error
        if outcome.ok and outcome.value is not None:
            self.hours = outcome.value
            self.ooh_enabled = bool(outcome.value.get("ooh_enabled"))
            self.hours_key += 1

    @rx.event
    def set_ooh_enabled(self, value: bool) -> None:
        self.ooh_enabled = bool(value)

    @rx.event
    async def add_holidays(self) -> None:
        """Add this year's and next year's Brazilian national holidays to the list."""
        year = utcnow().year
        days = [d.isoformat() for y in (year, year + 1) for d in brazilian_holidays(y)]
        current = [d for d in (self.hours.get("holidays") or "").split("\n") if d.strip()]
        merged = sorted(set(current) | set(days))
        self.hours = {**self.hours, "holidays": "\n".join(merged)}
        self.hours_key += 1

    @rx.event
    async def save_hours(self, form: dict[str, Any]) -> None:
        self.hours_error = self.hours_notice = ""
        weekly = {
            str(d): [field(form, f"open_{d}"), field(form, f"close_{d}")]
            for d in DAYS
            if field(form, f"open_{d}") and field(form, f"close_{d}")
        }
        values = {
            "timezone": field(form, "timezone") or "America/Sao_Paulo",
            "weekly_hours": weekly,
            "holidays": [d for d in field(form, "holidays").split() if d],
            "out_of_hours_enabled": self.ooh_enabled,
            "out_of_hours_message": field(form, "ooh_message"),
            "pause_minutes": field(form, "pause_minutes") or "60",
            "hourly_cap": field(form, "hourly_cap") or "10",
            "agent_grace_minutes": field(form, "grace") or "5",
        }

        def work(scope: TenantScope, _user: CurrentUser) -> None:
            save_settings(scope, **values)

        outcome = await act(self, work, managers_only=True)
        self.hours_error = outcome.error
        if outcome.ok:
            self.hours_notice = self._tr("auto.hours_saved")
            await self.load_hours()
