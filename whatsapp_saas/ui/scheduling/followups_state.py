"""Follow-ups on the Scheduling page: the pending ones, starting one, and the tenant's
opt-out keywords and business hours."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.inbox.service import open_conversation
from whatsapp_saas.scheduling import followups as svc
from whatsapp_saas.scheduling.preferences import save_preferences
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.scheduling import view
from whatsapp_saas.ui.scheduling.common import (
    act,
    chosen_id,
    contact_from_form,
    field,
    field_error,
    form_reset,
)

STEP_FIELDS = 3  # the form offers three steps; rules saved by services may have up to five
DAYS = range(7)
FORM_ID = "followup-form"


class FollowUpsState(AppState):
    error: str = ""
    field_errors: dict[str, str] = {}  # shown under the field; the form keeps its values
    notice: str = ""
    rows: list[dict[str, str]] = []
    prefs: dict[str, str] = {}

    @rx.event
    async def refresh(self) -> None:
        def read(scope: TenantScope, user: CurrentUser) -> tuple[Any, Any]:
            return view.follow_ups(scope, user), view.preferences(scope)

        outcome = await act(self, read)
        if outcome.ok and outcome.value is not None:
            self.rows, self.prefs = outcome.value

    @rx.event
    async def start(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        self.error = self.notice = ""
        self.field_errors = {}
        steps = [
            {"delay_hours": field(form, f"delay_{i}"), "text": field(form, f"step_text_{i}")}
            for i in range(STEP_FIELDS)
            if field(form, f"step_text_{i}")
        ]
        hours_only = bool(form.get("business_hours_only"))

        def work(scope: TenantScope, user: CurrentUser) -> None:
            number_id = chosen_id(form, "number_id", "error.sched_choose_number")
            contact_id = contact_from_form(scope, form, number_id)
            conversation = open_conversation(
                scope, actor=user, number_id=number_id, contact_id=contact_id
            )
            assert conversation.id is not None
            svc.start_follow_up(
                scope,
                actor=user,
                conversation_id=conversation.id,
                steps=steps,
                business_hours_only=hours_only,
            )

        outcome = await act(self, work)
        self.field_errors = field_error(outcome)
        self.error = "" if self.field_errors else outcome.error
        await self.refresh()
        return form_reset(FORM_ID) if outcome.ok else None

    @rx.event
    async def stop(self, follow_up_id: str) -> None:
        self.error = self.notice = ""
        outcome = await act(
            self, lambda s, u: svc.cancel_follow_up(s, actor=u, follow_up_id=int(follow_up_id))
        )
        self.error = outcome.error
        if outcome.ok:
            self.notice = self._tr("followup.cancelled")
        await self.refresh()

    @rx.event
    async def save_prefs(self, form: dict[str, Any]) -> None:
        self.error = self.notice = ""
        keywords = [k for k in field(form, "keywords").replace(";", ",").split(",") if k.strip()]
        hours = {
            str(day): [field(form, f"open_{day}"), field(form, f"close_{day}")]
            for day in DAYS
            if field(form, f"open_{day}") and field(form, f"close_{day}")
        }

        def work(scope: TenantScope, _u: CurrentUser) -> None:
            save_preferences(scope, stop_keywords=keywords, business_hours=hours)

        outcome = await act(self, work, managers_only=True)
        self.error = outcome.error
        if outcome.ok:
            self.notice = self._tr("sched.prefs_saved")
        await self.refresh()
