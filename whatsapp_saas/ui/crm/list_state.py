"""The Contacts page's state: one server-side page of contacts, filters, selection, bulk.

Search, sort, filters and paging all run on the server (``crm.listing``); the page holds
only the 25 rows it shows. A bulk action on a selection runs at once; on the whole filter it
is queued as a job, whose progress bar re-reads the job row every second.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import bulk, listing, segments
from whatsapp_saas.crm import export as exporter
from whatsapp_saas.crm import tags as tag_svc
from whatsapp_saas.crm.fields import definitions
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.models import Job, JobStatus
from whatsapp_saas.crm.profile import new_contact
from whatsapp_saas.crm.profile_data import initials
from whatsapp_saas.deals.models import Stage
from whatsapp_saas.deals.pipelines import list_pipelines
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.phones import for_people
from whatsapp_saas.scheduling import campaigns
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm.common import Refused, call
from whatsapp_saas.ui.crm.routes import contact_href
from whatsapp_saas.whatsapp.models import WhatsAppNumber

PER_PAGE = 25
EXPORT_COLUMNS = exporter.CORE_COLUMNS


def _options(scope: TenantScope, viewer: CurrentUser) -> dict[str, Any]:
    return {
        "tags": [
            {"id": str(t.id), "label": t.name, "color": t.color} for t in tag_svc.list_tags(scope)
        ],
        "segments": [
            {"id": str(s.id), "label": s.name, "shared": "yes" if s.shared else ""}
            for s in segments.list_segments(scope, actor=viewer)
        ],
        "owners": [
            {"id": str(u.id), "label": u.name}
            for u in sorted(scope.all(User, col(User.is_active)), key=lambda u: u.name.casefold())
        ],
        "numbers": [{"id": str(n.id), "label": n.name} for n in scope.all(WhatsAppNumber)],
        "fields": [{"id": d.key, "label": d.label} for d in definitions(scope)],
        "stages": _stage_options(scope),
        # Only managers run campaigns: an agent is offered none (and refused if they try).
        "campaigns": [{"id": str(c.id), "label": c.name} for c in campaigns.open_campaigns(scope)]
        if viewer.is_manager
        else [],
    }


def _stage_options(scope: TenantScope) -> list[dict[str, str]]:
    """The pipeline/stage filter's choices: "p<id>" a whole pipeline, "s<id>" one stage."""
    stages = scope.all(Stage)
    found: list[dict[str, str]] = []
    for pipeline in list_pipelines(scope):
        found.append({"id": f"p{pipeline.id}", "label": pipeline.name})
        own = sorted((s for s in stages if s.pipeline_id == pipeline.id), key=lambda s: s.position)
        found += [{"id": f"s{s.id}", "label": f"{pipeline.name} / {s.name}"} for s in own]
    return found


def _deal_stage(choice: str) -> dict[str, int]:
    kind, number = choice[:1], choice[1:]
    if not number.isdigit() or kind not in ("p", "s"):
        return {}
    return {"pipeline_id" if kind == "p" else "stage_id": int(number)}


class ContactsState(AppState):
    rows: list[dict[str, str]] = []
    row_tags: dict[str, list[dict[str, str]]] = {}
    total: int = 0
    total_capped: bool = False
    total_estimated: bool = False  # a large filter's total is the planner's estimate
    page: int = 1
    search: str = ""
    sort: str = "name"
    descending: bool = False
    filters: dict[str, str] = {}
    tag_options: list[dict[str, str]] = []
    segment_options: list[dict[str, str]] = []
    owner_options: list[dict[str, str]] = []
    number_options: list[dict[str, str]] = []
    field_options: list[dict[str, str]] = []
    stage_options: list[dict[str, str]] = []
    campaign_options: list[dict[str, str]] = []  # the draft and paused campaigns
    cursors: list[str] = []  # where each page after the first starts (keyset pagination)
    next_cursor: str = ""
    selected: list[str] = []
    all_matching: bool = False  # the bulk action applies to the whole filter
    error: str = ""
    notice: str = ""
    new_open: bool = False
    new_errors: dict[str, str] = {}
    delete_open: bool = False
    campaign_open: bool = False  # the "add to campaign" confirmation
    campaign_question: str = ""
    job_id: str = ""
    job_done: int = 0
    job_total: int = 0
    job_status: str = ""
    _pending_bulk: dict[str, Any] = {}
    _job_campaign: str = ""  # the campaign a running job adds to, for its result

    @rx.var
    def selection_count(self) -> int:
        return self.total if self.all_matching else len(self.selected)

    @rx.var
    def job_percent(self) -> str:
        if not self.job_total:
            return "100%" if self.job_status == JobStatus.DONE.value else "0%"
        return f"{min(100, round(100 * self.job_done / self.job_total))}%"

    @rx.var
    def job_running(self) -> bool:
        return self.job_id != "" and self.job_status in ("queued", "running")

    @rx.var
    def has_next(self) -> bool:
        return self.next_cursor != ""

    @rx.var
    def total_label(self) -> str:
        if self.total_estimated:
            return f"≈ {self.total:,}"
        return f"{listing.COUNT_CAP:,}+" if self.total_capped else f"{self.total:,}"

    @rx.var
    def delete_question(self) -> str:
        return self._tr("crm.delete_confirm", count=self.selection_count)

    # --- loading ---------------------------------------------------------------------

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.error = self.notice = ""
        self.selected, self.all_matching = [], False
        await self._load_options()
        await self._refresh()
        return None

    async def _load_options(self) -> None:
        try:
            options = await call(self, _options)
        except Refused as err:
            self.error = err.message
            return
        self.tag_options, self.segment_options = options["tags"], options["segments"]
        self.owner_options, self.number_options = options["owners"], options["numbers"]
        self.field_options, self.stage_options = options["fields"], options["stages"]
        self.campaign_options = options["campaigns"]

    def _filter(self) -> ContactFilter:
        f = self.filters
        return ContactFilter(
            search=self.search,
            tag_ids=[int(f["tag_id"])] if f.get("tag_id", "").isdigit() else [],
            segment_id=int(f["segment_id"]) if f.get("segment_id", "").isdigit() else None,
            owner=f.get("owner", ""),
            number_id=int(f["number_id"]) if f.get("number_id", "").isdigit() else None,
            last_contact_from=f.get("last_from", ""),
            last_contact_to=f.get("last_to", ""),
            created_from=f.get("created_from", ""),
            created_to=f.get("created_to", ""),
            opted_out=f.get("opted_out", ""),
            open_conversation=f.get("open_conversation", ""),
            **_deal_stage(f.get("deal_stage", "")),
        )

    async def _refresh(self) -> None:
        flt, sort, desc, page = self._filter(), self.sort, self.descending, self.page
        self.cursors = self.cursors[: max(page - 1, 0)]
        self.page = page = len(self.cursors) + 1
        after = self.cursors[-1] if self.cursors else ""

        def work(scope: TenantScope, viewer: CurrentUser) -> listing.ContactPage:
            return listing.contact_page(
                scope,
                actor=viewer,
                flt=flt,
                sort=sort,
                descending=desc,
                page=page,
                per_page=PER_PAGE,
                after=after,
            )

        try:
            result = await call(self, work)
        except Refused as err:
            self.error, self.rows, self.total = err.message, [], 0
            return
        self.total, self.total_capped = result.total, result.total_capped
        self.total_estimated = result.estimated
        self.next_cursor = result.next_cursor
        self.rows = [self._row(r) for r in result.rows]
        self.row_tags = {
            str(r.contact.id): [{"name": t.name, "color": t.color} for t in r.tags]
            for r in result.rows
        }

    def _row(self, row: listing.ContactRow) -> dict[str, str]:
        c = row.contact
        return {
            "id": str(c.id),
            "href": contact_href(c.id or 0),
            "name": c.display_name,
            "initials": initials(c.display_name),
            "phone": for_people(c.phone),
            "email": c.email or "",
            "company": c.company or "",
            "owner": row.owner_name,
            "last_contact": self._format_time(row.last_contact_at),
            # The page draws this one (ui.dates), so it follows a language switch.
            "last_contact_at": as_utc(row.last_contact_at).isoformat()
            if row.last_contact_at
            else "",
            "opted_out": "yes" if row.opted_out else "",
        }

    # --- search, sort, filters, paging --------------------------------------------------

    @rx.event
    async def set_search(self, text: str) -> None:
        self.search, self.page, self.all_matching = text[:200], 1, False
        await self._refresh()

    @rx.event
    async def set_sort(self, sort: str) -> None:
        if sort == self.sort:
            self.descending = not self.descending
        else:
            # The last contact reads newest first; names and dates start from the top.
            self.sort, self.descending = sort, sort == "last"
        self.page = 1
        await self._refresh()

    @rx.event
    async def apply_filters(self, form: dict[str, Any]) -> None:
        self.filters = {k: str(v) for k, v in form.items() if v not in (None, "")}
        self.page, self.all_matching, self.selected = 1, False, []
        await self._refresh()

    @rx.event
    async def clear_filters(self) -> None:
        self.filters, self.search, self.page = {}, "", 1
        self.all_matching, self.selected = False, []
        await self._refresh()

    @rx.event
    async def use_segment(self, segment_id: str) -> None:
        self.filters = {"segment_id": segment_id} if segment_id else {}
        self.page, self.all_matching, self.selected = 1, False, []
        await self._refresh()

    @rx.event
    async def go_page(self, delta: int) -> None:
        """Next starts after this page's last row; Previous goes back one cursor."""
        if int(delta) > 0 and self.next_cursor:
            self.cursors = [*self.cursors, self.next_cursor]
            self.page += 1
        elif int(delta) < 0:
            self.page = max(1, self.page - 1)
        await self._refresh()

    # --- selection ------------------------------------------------------------------------

    @rx.event
    def toggle_row(self, contact_id: str, checked: bool) -> None:
        self.all_matching = False
        if checked and contact_id not in self.selected:
            self.selected = [*self.selected, contact_id]
        elif not checked:
            self.selected = [s for s in self.selected if s != contact_id]

    @rx.event
    def toggle_page(self, checked: bool) -> None:
        self.all_matching = False
        self.selected = [r["id"] for r in self.rows] if checked else []

    @rx.event
    def select_matching(self, on: bool) -> None:
        self.all_matching = bool(on)
        if not on:
            self.selected = []

    # --- bulk actions -----------------------------------------------------------------------

    @rx.event
    async def run_bulk(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        self.error = self.notice = ""
        action = str(form.get("action", ""))
        args = {
            "tag_id": form.get("tag_id", ""),
            "owner_user_id": form.get("owner_user_id", ""),
            "key": form.get("field_key", ""),
            "value": form.get("field_value", ""),
            "campaign_id": form.get("campaign_id", ""),
        }
        if not self.selection_count:
            self.error = self._tr("crm.error_nothing_selected")
            return None
        if action == "export":
            columns = [
                k.removeprefix("col-") for k, v in form.items() if k.startswith("col-") and v
            ]
            return await self._export(",".join(columns))
        if action == "delete":
            self._pending_bulk, self.delete_open = {"action": action, "args": args}, True
            return None
        if action == "campaign":
            await self._ask_campaign(args)
            return None
        await self._bulk(action, args)
        return None

    async def _ask_campaign(self, args: dict[str, Any]) -> None:
        """Check the campaign first (a closed one is refused before anything is asked)."""

        def work(scope: TenantScope, viewer: CurrentUser) -> str:
            checked = bulk.check_action(scope, actor=viewer, action="campaign", args=args)
            return campaigns.open_campaign(scope, campaign_id=checked["campaign_id"]).name

        try:
            name = await call(self, work)
        except Refused as err:
            self.error = err.message
            return
        self.campaign_question = self._tr(
            "crm.campaign_confirm", count=self.selection_count, name=name
        )
        self._pending_bulk = {"action": "campaign", "args": args, "name": name}
        self.campaign_open = True

    @rx.event
    def cancel_campaign_add(self) -> None:
        self.campaign_open, self._pending_bulk = False, {}

    @rx.event
    async def confirm_campaign_add(self) -> None:
        pending, self._pending_bulk, self.campaign_open = self._pending_bulk, {}, False
        if pending.get("action") == "campaign":
            await self._bulk("campaign", pending["args"], name=pending.get("name", ""))

    @rx.event
    def cancel_delete(self) -> None:
        self.delete_open, self._pending_bulk = False, {}

    @rx.event
    async def confirm_delete(self) -> None:
        pending, self._pending_bulk, self.delete_open = self._pending_bulk, {}, False
        if pending:
            await self._bulk(pending["action"], pending["args"])

    async def _bulk(self, action: str, args: dict[str, Any], name: str = "") -> None:
        flt, ids, whole = self._filter(), [int(i) for i in self.selected], self.all_matching
        counts: dict[str, int] = {}

        def work(scope: TenantScope, viewer: CurrentUser) -> tuple[int, int | None]:
            if whole:
                job = bulk.start_on_filter(scope, actor=viewer, action=action, args=args, flt=flt)
                return job.total, job.id
            done = bulk.on_selection(
                scope, actor=viewer, action=action, args=args, contact_ids=ids, counts=counts
            )
            return done, None

        try:
            count, job_id = await call(self, work)
        except Refused as err:
            self.error = err.message
            return
        self.selected, self.all_matching = [], False
        if job_id is not None:
            self.job_id, self.job_done, self.job_total, self.job_status = (
                str(job_id),
                0,
                count,
                JobStatus.QUEUED.value,
            )
            self.notice = self._tr("crm.bulk_queued", count=count)
            self._job_campaign = name
        elif action == "campaign":
            self.notice = self._campaign_result(counts, name)
        else:
            self.notice = self._tr("crm.bulk_done", count=count)
            await self._refresh()

    def _campaign_result(self, counts: dict[str, int], name: str = "") -> str:
        return self._tr(
            "crm.campaign_added",
            name=name,
            added=counts.get("added", 0),
            skipped=counts.get("opted_out", 0) + counts.get("already", 0),
            opted_out=counts.get("opted_out", 0),
            already=counts.get("already", 0),
        )

    @rx.event
    async def poll_job(self, _now: str = "") -> None:
        if not self.job_running:
            return
        job_id = int(self.job_id)
        try:
            job = await call(self, lambda scope, _v: scope.get(Job, job_id))
        except Refused:
            self.job_id = ""
            return
        self.job_done, self.job_total, self.job_status = job.processed, job.total, job.status
        if job.status not in ("queued", "running"):
            campaign = job.params.get("action") == "campaign"
            if job.error == bulk.CAMPAIGN_CLOSED:
                self.error = self._tr(bulk.CAMPAIGN_CLOSED, added=job.counts.get("added", 0))
            elif campaign:
                self.notice = self._campaign_result(job.counts, self._job_campaign)
            else:
                self.notice = self._tr("crm.bulk_done", count=job.processed)
            await self._refresh()

    async def _export(self, columns_text: str):  # type: ignore[no-untyped-def]
        columns = [c for c in columns_text.split(",") if c] or list(EXPORT_COLUMNS)
        flt, whole = self._filter(), self.all_matching
        ids = None if whole else [int(i) for i in self.selected]
        sep = ";" if (self.lang or "pt-BR") == "pt-BR" else ","
        header = self._export_header

        def work(scope: TenantScope, viewer: CurrentUser) -> tuple[str, int]:
            return exporter.export_csv(
                scope,
                actor=viewer,
                flt=flt,
                columns=columns,
                headers=header,
                contact_ids=ids,
                separator=sep,
            )

        try:
            text, count = await call(self, work)
        except Refused as err:
            self.error = err.message
            return None
        self.notice = self._tr("crm.exported", count=count)
        return rx.download(data=text, filename="contacts.csv")

    def _export_header(self, column: str) -> str:
        if column.startswith("field:"):
            key = column.removeprefix("field:")
            return next((f["label"] for f in self.field_options if f["id"] == key), key)
        return self._tr(f"crm.col_{column}")

    @rx.event
    async def export_all(self):  # type: ignore[no-untyped-def]
        """Export the current filter with the standard columns and every custom field."""
        self.error = self.notice = ""
        columns = [*EXPORT_COLUMNS, *(f"field:{f['id']}" for f in self.field_options)]
        keep, self.all_matching = self.all_matching, True
        try:
            return await self._export(",".join(columns))
        finally:
            self.all_matching = keep

    # --- new contact ----------------------------------------------------------------------

    @rx.event
    def set_new_open(self, open_: bool) -> None:
        self.new_open, self.new_errors = bool(open_), {}

    @rx.event
    async def create_contact(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        phone, name = str(form.get("phone", "")), str(form.get("name", ""))

        def work(scope: TenantScope, viewer: CurrentUser) -> tuple[int, bool]:
            contact, created = new_contact(scope, actor=viewer, phone=phone, name=name)
            assert contact.id is not None
            return contact.id, created

        try:
            contact_id, created = await call(self, work)
        except Refused as err:
            self.new_errors = err.fields or {"phone": err.message}
            return None
        self.new_open, self.new_errors = False, {}
        self.notice = self._tr("crm.contact_created" if created else "crm.contact_exists")
        return rx.redirect(contact_href(contact_id))

    # --- segments ---------------------------------------------------------------------------

    @rx.event
    async def save_segment(self, form: dict[str, Any]) -> None:
        self.error = self.notice = ""
        name, shared, flt = (
            str(form.get("segment_name", "")),
            bool(form.get("shared")),
            self._filter(),
        )

        def work(scope: TenantScope, viewer: CurrentUser) -> str:
            return segments.create_segment(
                scope, actor=viewer, name=name, filters=flt, shared=shared
            ).name

        try:
            saved = await call(self, work)
        except Refused as err:
            self.error = err.message
            return
        self.notice = self._tr("crm.segment_saved", name=saved)
        await self._load_options()

    @rx.event
    async def delete_segment(self, segment_id: str) -> None:
        self.error = self.notice = ""
        if not segment_id.isdigit():
            return
        try:
            await call(
                self,
                lambda scope, viewer: segments.delete_segment(
                    scope, actor=viewer, segment_id=int(segment_id)
                ),
            )
        except Refused as err:
            self.error = err.message
            return
        if self.filters.get("segment_id") == segment_id:
            self.filters = {}
        await self._load_options()
        await self._refresh()
