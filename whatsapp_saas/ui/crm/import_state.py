"""The CSV import page: upload, map columns, preview, choose the duplicates policy, import,
watch the progress bar, read the report and download the failed rows.

The uploaded rows go straight to the database as a draft import (nothing big is kept in
the page's state); the preview re-reads the first rows with the mapping chosen.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import importer
from whatsapp_saas.crm.fields import definitions
from whatsapp_saas.crm.import_rows import CORE_TARGETS, RowError, propose_mapping
from whatsapp_saas.crm.models import Job, JobStatus
from whatsapp_saas.csvfiles import ENCODING_LABELS
from whatsapp_saas.errors import UserError
from whatsapp_saas.phones import for_people
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm.common import Refused, call
from whatsapp_saas.ui.scheduling.common import read_upload

PREVIEW_ROWS = 5


class ImportState(AppState):
    job_id: str = ""
    file_name: str = ""
    summary: str = ""
    columns: list[dict[str, str]] = []  # index, header, target
    targets: list[dict[str, str]] = []  # id, label
    preview: list[dict[str, str]] = []
    duplicates: str = "merge"
    status: str = ""  # "" | draft | queued | running | done | failed
    counts: dict[str, int] = {}
    error: str = ""

    @rx.var
    def percent(self) -> str:
        total = self.counts.get("total", 0)
        done = total - self.counts.get("pending", 0)
        return f"{round(100 * done / total) if total else 0}%"

    @rx.var
    def running(self) -> bool:
        return self.status in ("queued", "running")

    @rx.var
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self._clear()
        return None

    def _clear(self) -> None:
        self.job_id = self.file_name = self.summary = self.status = self.error = ""
        self.columns, self.preview, self.counts, self.duplicates = [], [], {}, "merge"

    @rx.event
    def start_over(self) -> None:
        self._clear()

    @rx.event
    @upload_guard.accepts(upload_guard.CSV)
    async def upload(self, files: list[rx.UploadFile]) -> None:
        self._clear()
        if not files:
            return
        refusal = await upload_guard.refusal(self, files, upload_guard.CSV)
        if refusal:
            self.error = refusal
            return
        data = await read_upload(files[0])
        name = (files[0].filename or "contacts.csv")[:200]

        def work(scope: TenantScope, viewer: CurrentUser) -> tuple[Job, list[str], Any]:
            job = importer.upload(scope, actor=viewer, data=data, file_name=name)
            defs = definitions(scope)
            return job, propose_mapping(job.params["header"], defs), defs

        try:
            job, proposal, defs = await call(self, work, managers_only=True)
        except Refused as err:
            self.error = err.message
            return
        self.job_id, self.file_name, self.status = str(job.id), name, JobStatus.DRAFT.value
        self.summary = self._tr(
            "crm.import_summary",
            rows=job.total,
            encoding=ENCODING_LABELS.get(job.params.get("encoding", ""), "UTF-8"),
            separator=self._tr("csv.tab") if job.params.get("sep") == "\t" else job.params["sep"],
        )
        self.targets = [{"id": t, "label": self._tr(f"crm.target.{t}")} for t in CORE_TARGETS]
        self.targets += [{"id": f"field:{d.key}", "label": d.label} for d in defs]
        self.columns = [
            {"index": str(i), "header": h or f"#{i + 1}", "target": proposal[i]}
            for i, h in enumerate(job.params["header"])
        ]
        await self._preview()

    @rx.event
    async def set_target(self, index: str, target: str) -> None:
        self.columns = [
            {**c, "target": target}
            if c["index"] == index
            else ({**c, "target": ""} if target and c["target"] == target else c)
            for c in self.columns
        ]
        await self._preview()

    @rx.event
    def set_duplicates(self, value: str) -> None:
        if value in {d.value for d in importer.Duplicates}:
            self.duplicates = value

    def _mapping(self) -> list[str]:
        return [c["target"] for c in self.columns]

    async def _preview(self) -> None:
        job_id, mapping = int(self.job_id or 0), self._mapping()

        def work(scope: TenantScope, viewer: CurrentUser) -> list[Any]:
            job = importer.import_job(scope, actor=viewer, job_id=job_id)
            return importer.preview(scope, job=job, mapping=mapping, rows=PREVIEW_ROWS)

        try:
            rows = await call(self, work, managers_only=True)
        except Refused as err:
            self.error = err.message
            return
        self.preview = [self._preview_row(n, parsed, err) for n, parsed, err in rows]

    def _preview_row(self, line: int, parsed: Any, err: UserError | None) -> dict[str, str]:
        if parsed is None:
            assert err is not None
            return {
                "line": str(line),
                "name": "",
                "phone": "",
                "email": "",
                "company": "",
                "tags": "",
                "fields": "",
                "problem": self._reason(err),
            }
        return {
            "line": str(line),
            "name": parsed.name or "",
            "phone": for_people(parsed.phone),
            "email": parsed.email or "",
            "company": parsed.company or "",
            "tags": ", ".join(parsed.tags),
            "fields": "; ".join(f"{k}: {v}" for k, v in parsed.fields.items()),
            "problem": "",
        }

    def _reason(self, err: UserError) -> str:
        value = err.value if isinstance(err, RowError) else ""
        return self._tr(err.code, value=value)

    @rx.event
    async def start(self) -> None:
        """The Import button: queue the job; the runner takes it from there."""
        self.error = ""
        job_id, mapping, duplicates = int(self.job_id or 0), self._mapping(), self.duplicates
        try:
            await call(
                self,
                lambda scope, viewer: importer.queue(
                    scope, actor=viewer, job_id=job_id, mapping=mapping, duplicates=duplicates
                ),
                managers_only=True,
            )
        except Refused as err:
            self.error = err.message
            return
        self.status = JobStatus.QUEUED.value
        await self.poll()

    @rx.event
    async def poll(self, _now: str = "") -> None:
        if not self.job_id:
            return
        job_id = int(self.job_id)

        def work(scope: TenantScope, viewer: CurrentUser) -> tuple[str, dict[str, int]]:
            job = importer.import_job(scope, actor=viewer, job_id=job_id)
            got = importer.progress(scope, job_id=job_id)
            return job.status, {
                "total": got.total,
                "pending": got.pending,
                "created": got.created,
                "merged": got.merged,
                "skipped": got.skipped,
                "failed": got.failed,
            }

        try:
            self.status, self.counts = await call(self, work, managers_only=True)
        except Refused as err:
            self.error = err.message

    @rx.event
    async def download_failed(self):  # type: ignore[no-untyped-def]
        job_id = int(self.job_id or 0)

        def words(code: str, value: str) -> str:
            return self._tr(code, value=value)

        def work(scope: TenantScope, viewer: CurrentUser) -> str:
            job = importer.import_job(scope, actor=viewer, job_id=job_id)
            return importer.failed_rows_csv(scope, job=job, translate=words)

        try:
            text = await call(self, work, managers_only=True)
        except Refused as err:
            self.error = err.message
            return None
        base = self.file_name.rsplit(".", 1)[0] or "contacts"
        return rx.download(data=text, filename=f"{base}-errors.csv")
