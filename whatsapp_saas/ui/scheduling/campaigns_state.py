"""Campaigns on the Scheduling page: create a draft, control it, watch its progress live.

Progress is re-read from the database every 2 s while a campaign is running and the tab is
mounted (a client-side timer, so nothing keeps polling after the page is closed).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.csvfiles import ENCODING_LABELS, decode
from whatsapp_saas.errors import UserError
from whatsapp_saas.phones import for_people
from whatsapp_saas.scheduling import campaigns as svc
from whatsapp_saas.scheduling.csv_import import CsvResult, parse_recipients
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.scheduling import view
from whatsapp_saas.ui.scheduling.common import (
    act,
    chosen_id,
    field,
    field_error,
    form_reset,
    read_upload,
)

ACTIONS = {
    "start": svc.start_campaign,
    "pause": svc.pause_campaign,
    "resume": svc.resume_campaign,
    "cancel": svc.cancel_campaign,
}
ROW_ERRORS_SHOWN = 50
PREVIEW_ROWS = 10
FORM_ID = "campaign-form"


class CampaignsState(AppState):
    error: str = ""
    notice: str = ""
    rows: list[dict[str, str]] = []
    field_errors: dict[str, str] = {}  # shown under the field; the form keeps its values
    csv_errors: list[str] = []
    csv_text: str = ""
    csv_error: str = ""  # a file that cannot be read (its encoding), next to the CSV box
    csv_preview: list[dict[str, str]] = []  # the first recipients, as they will be stored
    csv_summary: str = ""
    number_id: str = ""  # the sending number picked, whose country reads national numbers
    # The saved segments the campaign may target, and the one chosen ("" = pick below / CSV).
    segments: list[dict[str, str]] = []
    audience: str = ""
    _csv_encoding: str = ""

    @rx.var
    def live(self) -> bool:
        return any(row.get("live") == "yes" for row in self.rows)

    @rx.event
    async def refresh(self) -> None:
        """Campaigns are managers' business: anyone else gets an empty list, checked here."""
        outcome = await act(
            self,
            lambda scope, user: (view.campaigns(scope), view.segments(scope, user)),
            managers_only=True,
        )
        found = outcome.value if outcome.ok and outcome.value is not None else ([], [])
        self.rows, self.segments = found
        if self.audience and all(s["id"] != self.audience for s in self.segments):
            self.audience = ""

    @rx.event
    def set_audience(self, segment_id: str) -> None:
        self.audience = segment_id if str(segment_id).isdigit() else ""

    @rx.event
    async def tick(self, _now: str = "") -> None:
        """The 2 s timer: fresh counts while something is moving."""
        if self.live:
            await self.refresh()

    @rx.event
    def set_csv_text(self, text: str) -> None:
        if text != self.csv_text:
            self.csv_text, self._csv_encoding = text, ""
            self.csv_preview, self.csv_summary = [], ""

    @rx.event
    async def pick_number(self, number_id: str) -> None:
        self.number_id = number_id
        if self.csv_preview:
            await self.preview_csv()

    @rx.event
    @upload_guard.accepts(upload_guard.CSV)
    async def load_csv_file(self, files: list[rx.UploadFile]) -> None:
        """A CSV file picked in the form: decoded (or refused), then previewed in the text
        area, so what will be stored is what the person sees."""
        self.csv_error = ""
        if not files:
            return
        refusal = await upload_guard.refusal(self, files, upload_guard.CSV)
        if refusal:
            self.csv_error = refusal
            return
        data = await read_upload(files[0])
        try:
            text, encoding = decode(data)
        except UserError as err:
            self.csv_error = self._error_text(err)
            self.csv_preview, self.csv_summary = [], ""
            return
        self.csv_text, self._csv_encoding = text, encoding
        await self.preview_csv()

    @rx.event
    async def preview_csv(self) -> None:
        """The recipients the CSV gives, as they will be stored, and the rows it skips."""
        self.csv_error = ""
        text, number = self.csv_text, self.number_id

        def read(scope: TenantScope, _u: CurrentUser) -> CsvResult:
            region = (
                svc.region_for(scope, number_id=int(number))
                if number.isdigit()
                else svc.tenant_region(scope)
            )
            return parse_recipients(text, region)

        if not text.strip():
            self.csv_preview, self.csv_summary, self.csv_errors = [], "", []
            return
        outcome = await act(self, read, managers_only=True)
        if not outcome.ok or outcome.value is None:
            self.csv_error, self.csv_preview, self.csv_summary = outcome.error, [], ""
            return
        csv = outcome.value
        self.csv_preview = [
            {"line": str(r.line), "phone": for_people(r.phone), "name": r.name or ""}
            for r in csv.recipients[:PREVIEW_ROWS]
        ]
        self.csv_summary = self._csv_summary(csv)
        self.csv_errors = self._row_errors(csv)

    def _csv_summary(self, csv: CsvResult) -> str:
        separator = self._tr("csv.tab") if csv.separator == "\t" else csv.separator
        summary = self._tr(
            "campaign.csv_summary",
            count=len(csv.recipients),
            skipped=len(csv.errors),
            duplicates=csv.duplicates,
            separator=separator,
        )
        if self._csv_encoding:
            label = ENCODING_LABELS.get(self._csv_encoding, self._csv_encoding)
            summary = self._tr("campaign.csv_encoding", encoding=label) + " " + summary
        return summary

    @rx.event
    async def create(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        self.error = self.notice = ""
        self.csv_errors, self.field_errors = [], {}
        contact_ids = [
            int(k.split("-", 1)[1]) for k, v in form.items() if k.startswith("contact-") and v
        ]
        csv_text, audience = self.csv_text, self.audience

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
                segment_id=int(audience) if audience else None,  # resolved when it starts
                actor=user,
            )
            return draft.added, draft.csv

        outcome = await act(self, work, managers_only=True)
        if not outcome.ok or outcome.value is None:
            self.field_errors = field_error(outcome)
            self.error = "" if self.field_errors else outcome.error
            return None
        added, csv = outcome.value
        created = "campaign.created_segment" if audience else "campaign.created"
        self.notice = self._tr(created, count=added)
        self.csv_errors = self._row_errors(csv)
        self.csv_text, self._csv_encoding, self.csv_preview, self.csv_summary = "", "", [], ""
        self.audience = ""
        await self.refresh()
        return form_reset(FORM_ID)

    def _row_errors(self, csv: CsvResult | None) -> list[str]:
        if csv is None:
            return []
        return [
            self._tr("campaign.csv_row_error", line=e.line, value=e.value, error=self._tr(e.code))
            for e in csv.errors[:ROW_ERRORS_SHOWN]
        ]

    @rx.event
    async def control(self, campaign_id: str, action: str) -> None:
        self.error = self.notice = ""
        change = ACTIONS.get(action)
        if change is None:
            return

        def work(scope: TenantScope, user: CurrentUser) -> object:
            if (
                change is svc.start_campaign
            ):  # a segment's members are read as the starter sees them
                return svc.start_campaign(scope, campaign_id=int(campaign_id), actor=user)
            return change(scope, campaign_id=int(campaign_id))

        outcome = await act(self, work, managers_only=True)
        self.error = outcome.error
        await self.refresh()
