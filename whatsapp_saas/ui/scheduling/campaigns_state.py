"""Campaigns on the Scheduling page: create a draft, control it, watch its progress live.

Progress is re-read from the database every 2 s while a campaign is running and the tab is
mounted (a client-side timer, so nothing keeps polling after the page is closed).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.scheduling import campaigns as svc
from whatsapp_saas.scheduling.csv_import import CsvResult
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.scheduling import view
from whatsapp_saas.ui.scheduling.common import act, chosen_id, field

ACTIONS = {
    "start": svc.start_campaign,
    "pause": svc.pause_campaign,
    "resume": svc.resume_campaign,
    "cancel": svc.cancel_campaign,
}
ROW_ERRORS_SHOWN = 50


class CampaignsState(AppState):
    error: str = ""
    notice: str = ""
    rows: list[dict[str, str]] = []
    csv_errors: list[str] = []
    csv_text: str = ""

    @rx.var
    def live(self) -> bool:
        return any(row.get("live") == "yes" for row in self.rows)

    @rx.event
    async def refresh(self) -> None:
        outcome = await act(self, lambda scope, _u: view.campaigns(scope))
        if outcome.ok and outcome.value is not None:
            self.rows = outcome.value

    @rx.event
    async def tick(self, _now: str = "") -> None:
        """The 2 s timer: fresh counts while something is moving."""
        if self.live:
            await self.refresh()

    @rx.event
    def set_csv_text(self, text: str) -> None:
        self.csv_text = text

    @rx.event
    @upload_guard.accepts(upload_guard.CSV)
    async def load_csv_file(self, files: list[rx.UploadFile]) -> None:
        """A CSV file picked in the form fills the text area (so it can be checked first)."""
        self.error = await upload_guard.refusal(self, files, upload_guard.CSV)
        if files and not self.error:
            self.csv_text = (await files[0].read()).decode("utf-8-sig", errors="replace")

    @rx.event
    async def create(self, form: dict[str, Any]) -> None:
        self.error = self.notice = ""
        self.csv_errors = []
        contact_ids = [
            int(k.split("-", 1)[1]) for k, v in form.items() if k.startswith("contact-") and v
        ]
        csv_text = self.csv_text

        def work(scope: TenantScope, user: CurrentUser) -> tuple[int, CsvResult | None]:
            draft = svc.create_campaign(
                scope,
                name=field(form, "name"),
                number_id=chosen_id(form, "number_id", "error.sched_choose_number"),
                text=field(form, "text"),
                variants=field(form, "variants").splitlines(),
                contact_ids=contact_ids,
                csv_text=csv_text,
                user_id=user.user_id,
            )
            return draft.added, draft.csv

        outcome = await act(self, work, managers_only=True)
        if not outcome.ok or outcome.value is None:
            self.error = outcome.error
            return
        added, csv = outcome.value
        self.notice = self.tr("campaign.created", count=added)
        self.csv_errors = self._row_errors(csv)
        self.csv_text = ""
        await self.refresh()

    def _row_errors(self, csv: CsvResult | None) -> list[str]:
        if csv is None:
            return []
        return [
            self.tr("campaign.csv_row_error", line=e.line, value=e.value, error=self.tr(e.code))
            for e in csv.errors[:ROW_ERRORS_SHOWN]
        ]

    @rx.event
    async def control(self, campaign_id: str, action: str) -> None:
        self.error = self.notice = ""
        change = ACTIONS.get(action)
        if change is None:
            return
        outcome = await act(
            self, lambda scope, _u: change(scope, int(campaign_id)), managers_only=True
        )
        self.error = outcome.error
        await self.refresh()
