"""Scheduled messages on the Scheduling page: the form, the list, edit and cancel."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import reflex as rx

from whatsapp_saas.accounts.preferences import tenant_timezone
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.i18n.formatting import format_datetime
from whatsapp_saas.scheduling import schedules as svc
from whatsapp_saas.scheduling.outbound import StoredMedia
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui import upload_guard
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.scheduling import view
from whatsapp_saas.ui.scheduling.common import (
    Outcome,
    act,
    chosen_id,
    contact_from_form,
    field,
    field_error,
    form_reset,
    local_datetime,
    read_upload,
)

UPLOAD_ID = "sched_media"
FORM_ID = "sched-form"


TABS = ("schedules", "campaigns", "followups")


class SchedulesState(AppState):
    error: str = ""
    field_errors: dict[str, str] = {}  # shown under the field; the form keeps its values
    notice: str = ""
    timezone: str = ""
    numbers: list[dict[str, str]] = []
    contacts: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    show_all: bool = False
    attachment: str = ""  # the file name shown under the upload box
    edit_id: str = ""
    tab: str = "schedules"  # which tab shows (?tab=campaigns opens the campaigns tab)
    _media: dict[str, Any] = {}

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.error = self.notice = ""
        await self._refresh()
        from whatsapp_saas.ui.scheduling.campaigns_state import CampaignsState
        from whatsapp_saas.ui.scheduling.followups_state import FollowUpsState

        query = self.router.url.query_parameters
        self.tab = query.get("tab", "") if query.get("tab", "") in TABS else "schedules"
        segment = query.get("segment", "")
        if segment.isdigit():
            # "Start campaign" on a segment of the Contacts page: the form with it chosen.
            campaigns = await self.get_state(CampaignsState)
            campaigns.audience = segment
        return [CampaignsState.refresh, FollowUpsState.refresh]

    @rx.event
    def set_tab(self, tab: str) -> None:
        self.tab = tab if tab in TABS else "schedules"

    async def _refresh(self) -> None:
        show_all = self.show_all

        def read(scope: TenantScope, user: CurrentUser) -> tuple[Any, ...]:
            return (
                tenant_timezone(scope),
                view.numbers(scope),
                view.contacts(scope, user),
                view.schedules(scope, user, show_all),
            )

        outcome = await act(self, read)
        if outcome.ok and outcome.value is not None:
            self.timezone, self.numbers, self.contacts, self.rows = outcome.value

    @rx.event
    async def toggle_show_all(self, checked: bool) -> None:
        self.show_all = bool(checked)
        await self._refresh()

    @rx.event
    @upload_guard.accepts(upload_guard.MEDIA)
    async def upload(self, files: list[rx.UploadFile]) -> None:
        """An attachment picked in the form is stored at once; the schedule refers to it."""
        self.error = await upload_guard.refusal(self, files, upload_guard.MEDIA)
        if self.error or not files:
            return
        file = files[0]
        data = await read_upload(file)
        mimetype = file.content_type or "application/octet-stream"
        name = file.filename

        def store(scope: TenantScope, _user: CurrentUser) -> StoredMedia:
            return svc.store_media(scope, data=data, mimetype=mimetype, filename=name)

        outcome = await act(self, store)
        if not outcome.ok or outcome.value is None:
            self.error = outcome.error
            return
        self._media = asdict(outcome.value)
        self.attachment = name or mimetype

    @rx.event
    async def clear_attachment(self) -> None:
        key = str(self._media.get("storage_key") or "")
        self._media, self.attachment = {}, ""
        await upload_guard.discard_attachment(self, key)

    @rx.event
    async def create(self, form: dict[str, Any]):  # type: ignore[no-untyped-def]
        self.error = self.notice = ""
        self.field_errors = {}
        media = StoredMedia(**self._media) if self._media else None

        def work(scope: TenantScope, user: CurrentUser) -> str:
            number_id = chosen_id(form, "number_id", "error.sched_choose_number")
            row = svc.create_schedule(
                scope,
                actor=user,
                number_id=number_id,
                contact_id=contact_from_form(scope, form, number_id),
                when_local=local_datetime(form),
                text=field(form, "text"),
                media=media,
                recurrence=field(form, "recurrence") or "none",
            )
            return format_datetime(row.due_at, user.language, row.timezone)

        outcome = await act(self, work)
        if not outcome.ok:
            self._show_error(outcome)
            return None
        self.notice = self._tr("sched.created", when=outcome.value)
        self._media, self.attachment = {}, ""
        await self._refresh()
        return form_reset(FORM_ID)

    def _show_error(self, outcome: Outcome[Any]) -> None:
        self.field_errors = field_error(outcome)
        self.error = "" if self.field_errors else outcome.error

    @rx.event
    def start_edit(self, schedule_id: str) -> None:
        self.error, self.edit_id, self.field_errors = "", schedule_id, {}

    @rx.event
    def close_edit(self, _open: bool = False) -> None:
        self.edit_id, self.field_errors = "", {}

    @rx.event
    async def save_edit(self, form: dict[str, Any]) -> None:
        self.error, self.field_errors = "", {}
        schedule_id = int(self.edit_id or 0)

        def work(scope: TenantScope, user: CurrentUser) -> None:
            svc.update_schedule(
                scope,
                actor=user,
                schedule_id=schedule_id,
                when_local=local_datetime(form),
                text=field(form, "text"),
                recurrence=field(form, "recurrence") or "none",
            )

        outcome = await act(self, work)
        if not outcome.ok:
            self._show_error(outcome)
            return
        self.edit_id, self.notice = "", self._tr("sched.updated")
        await self._refresh()

    @rx.event
    async def cancel(self, schedule_id: str) -> None:
        self.error = self.notice = ""
        outcome = await act(
            self, lambda scope, u: svc.cancel_schedule(scope, actor=u, schedule_id=int(schedule_id))
        )
        self.error = outcome.error
        if outcome.ok:
            self.notice = self._tr("sched.cancelled")
        await self._refresh()
