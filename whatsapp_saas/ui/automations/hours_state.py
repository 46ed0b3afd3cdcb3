"""The Business hours tab: weekly hours, time zone, holidays, the out-of-hours reply, the
human-takeover pause, and the Safety card (the bot guard's ignore list and per-minute limit);
managers only.

"Hours for" picks whose weekly hours, time zone and holidays the form edits: the company's,
or a number's or department's own (``HoursOverride``); the reply and the pauses stay the
company's. The choice is checked against the tenant when made and again when saved."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations.hours import brazilian_holidays
from whatsapp_saas.automations.service import require_manager
from whatsapp_saas.automations.settings import (
    HOURS_KEYS,
    HoursFor,
    clear_override,
    save_override,
    save_settings,
)
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.automations.forms import field
from whatsapp_saas.ui.automations.hours_targets import target_form, target_options
from whatsapp_saas.ui.base_state import AppState

DAYS = range(7)


class HoursState(AppState):
    hours: dict[str, str] = {}
    hours_key: int = 0
    hours_error: str = ""
    hours_notice: str = ""
    safety_key: int = 0
    safety_error: str = ""
    safety_notice: str = ""
    ooh_enabled: bool = False
    # "company", "number:<id>" or "department:<id>" (see automations.settings.HoursFor).
    hours_for: str = "company"
    hours_for_options: list[dict[str, str]] = []
    uses_company: bool = False  # the chosen number or department has no hours of its own

    @rx.event
    async def load_hours(self) -> None:
        await self._load(self.hours_for)

    async def _load(self, chosen: str) -> bool:
        def read(
            scope: TenantScope, user: CurrentUser
        ) -> tuple[dict[str, str], bool, list[dict[str, str]]]:
            require_manager(user)
            form, uses_company = target_form(scope, HoursFor.parse(chosen))
            return form, uses_company, target_options(scope)

        outcome = await act(self, read, managers_only=True)
        self.hours_error = outcome.error
        if not outcome.ok or outcome.value is None:
            return False
        form, self.uses_company, options = outcome.value
        self.hours, self.hours_for = form, chosen
        self.hours_for_options = options  # labelled in the page, in its current language
        self.ooh_enabled = bool(form.get("ooh_enabled"))
        self.hours_key += 1
        self.safety_key += 1
        return True

    @rx.event
    async def choose_hours_for(self, hours_for: str) -> None:
        """Edit another number's or department's hours; a foreign or bad id changes nothing."""
        self.hours_notice = ""
        before = self.hours_for
        if not await self._load(str(hours_for)):
            self.hours_for = before

    @rx.event
    async def use_company_hours(self) -> None:
        """The chosen number or department goes back to the company's hours."""
        self.hours_error = self.hours_notice = ""
        target = self.hours_for

        def work(scope: TenantScope, _user: CurrentUser) -> None:
            clear_override(scope, target=HoursFor.parse(target))

        outcome = await act(self, work, managers_only=True)
        self.hours_error = outcome.error
        if outcome.ok and await self._load(target):
            self.hours_notice = self._tr("auto.hours_reset")

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

        target = self.hours_for

        def work(scope: TenantScope, _user: CurrentUser) -> None:
            chosen = HoursFor.parse(target)
            if chosen.owner_id is None:
                save_settings(scope, **values)
            else:  # only the hours are the number's or department's own
                save_override(scope, target=chosen, **{k: values[k] for k in HOURS_KEYS})

        outcome = await act(self, work, managers_only=True)
        self.hours_error = outcome.error
        if outcome.ok:
            await self._load(target)
            self.hours_notice = self._tr("auto.hours_saved")

    @rx.event
    async def save_safety(self, form: dict[str, Any]) -> None:
        """The bot guard: numbers never answered, and the per-minute limit; save_settings
        validates both (phones are read as people type them and stored as E.164)."""
        self.safety_error = self.safety_notice = ""
        ignore, limit = field(form, "bot_ignore"), field(form, "bot_per_minute") or "0"

        def work(scope: TenantScope, _user: CurrentUser) -> None:
            save_settings(scope, bot_ignore_phones=ignore, bot_max_per_minute=limit)

        outcome = await act(self, work, managers_only=True)
        if not outcome.ok:
            self.safety_error = outcome.error
            self.hours = {**self.hours, "bot_ignore": ignore, "bot_per_minute": limit}
            self.safety_key += 1  # keep what was typed
            return
        await self.load_hours()
        self.safety_notice = self._tr("auto.safety_saved")
