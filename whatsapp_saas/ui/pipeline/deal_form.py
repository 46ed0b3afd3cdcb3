"""The deal form (a dialog): new deals from the board or from a contact, edits of a deal.

Errors come back per field (``form_errors``: field name -> message) and nothing is stored
until every field is right; what was typed stays in the form.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.access import get_visible_contact
from whatsapp_saas.deals.validation import DealForm, DealInvalid, parse_form
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import act
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm.common import field_rows, form_fields
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.pipeline import loaders
from whatsapp_saas.ui.pipeline.state import PipelineState


class DealFormState(AppState):
    form_open: bool = False
    form_key: int = 0
    form_errors: dict[str, str] = {}
    form_error: str = ""
    contact_results: list[dict[str, str]] = []
    # Set when the form is opened from a contact (profile, inbox panel): no picker then.
    fixed_contact_id: str = ""
    fixed_contact_label: str = ""
    conversation_id: str = ""
    owners: list[dict[str, str]] = []
    stages: list[dict[str, str]] = []
    default_stage: str = ""
    default_owner: str = ""
    # Editing an existing deal ("" = a new one): its fields as typed, and its history.
    editing_id: str = ""
    edit_values: dict[str, str] = {}
    history_rows: list[dict[str, str]] = []
    # The tenant's deal custom fields (rows of ``field_rows``: the value is the deal's when
    # editing); their inputs are named ``field-<key>``, their errors ``form_errors``'s too.
    field_list: list[dict[str, str]] = []

    @rx.event
    async def open_new(self, pipeline_id: str) -> None:
        """The board's **New deal** button: any contact, first stage of this pipeline."""
        await self._prepare(pipeline_id, "", "")

    @rx.event
    async def open_for_contact(self, contact_id: str, conversation_id: str) -> None:
        """A contact's **New deal**: the contact (and its conversation) fixed."""
        await self._prepare("", contact_id, conversation_id)

    async def _prepare(self, pipeline_id: str, contact_id: str, conversation_id: str) -> None:
        user = await self._current_user()
        if user is None:
            self._forget()
            return
        wanted = int(pipeline_id) if pipeline_id.isdigit() else None
        choices = await in_session(lambda s: loaders.form_choices(s, user, wanted))
        self.fixed_contact_id = self.fixed_contact_label = self.conversation_id = ""
        self.editing_id, self.edit_values, self.history_rows = "", {}, []
        if contact_id:
            label = await self._contact_label(user, contact_id)
            if label is None:
                self.form_open, self.form_error = False, self._tr("deals.not_found")
                return
            self.fixed_contact_id, self.fixed_contact_label = contact_id, label
            self.conversation_id = conversation_id if conversation_id.isdigit() else ""
        self.owners, self.stages = choices["owners"], choices["stages"]
        self.default_stage = self.stages[0]["id"] if self.stages else ""
        self.default_owner = str(user.user_id)
        self.form_errors, self.form_error = {}, ""
        self.contact_results = [] if contact_id else await self._search(user, "")
        self.field_list = await self._field_list(user, {})
        self.form_key += 1
        self.form_open = True

    @rx.event
    async def open_edit(self, deal_id: str) -> None:
        """A card's title: edit the deal, and read its stage history."""
        user = await self._current_user()
        if user is None:
            self._forget()
            return
        if not str(deal_id).isdigit():
            return
        language, zone = self.lang or "pt-BR", self.user_timezone
        try:
            found = await in_session(
                lambda s: loaders.deal_details(s, user, int(deal_id), language, zone)
            )
        except LookupError:
            self.form_open, self.form_error = False, self._tr("deals.not_found")
            return
        choices = await in_session(lambda s: loaders.form_choices(s, user, None))
        self.owners, self.stages = choices["owners"], choices["stages"]
        self.editing_id, self.edit_values, self.history_rows = (
            found.values["id"],
            found.values,
            found.history,
        )
        self.fixed_contact_id = found.values["contact_id"]
        self.fixed_contact_label, self.conversation_id = found.values["contact"], ""
        self.default_stage, self.default_owner = found.values["stage_id"], found.values["owner_id"]
        self.form_errors, self.form_error, self.contact_results = {}, "", []
        self.field_list = await self._field_list(user, found.fields)
        self.form_key += 1
        self.form_open = True

    async def _field_list(self, user: CurrentUser, values: dict[str, Any]) -> list[dict[str, str]]:
        return await in_session(lambda s: field_rows(self, loaders.deal_fields(s, user), values))

    async def _contact_label(self, user: CurrentUser, contact_id: str) -> str | None:
        if not contact_id.isdigit():
            return None

        def read(session: Any) -> str:
            scope = TenantScope(session, user.tenant_id)
            return loaders.contact_label(
                get_visible_contact(scope, actor=user, contact_id=int(contact_id))
            )

        try:
            return await in_session(read)
        except LookupError:
            return None

    async def _search(self, user: CurrentUser, text: str) -> list[dict[str, str]]:
        return await in_session(lambda s: loaders.find_contacts(s, user, text[:80]))

    @rx.event
    def close_on_page_load(self) -> None:
        """Each page that holds the dialog (board, profile, inbox) calls this as it loads: a
        form left open on one page must not pop up on the next with its stale errors."""
        self.form_open = False
        self.form_errors, self.form_error = {}, ""

    @rx.event
    def set_form_open(self, is_open: bool) -> None:
        self.form_open = is_open
        if not is_open:
            self.form_errors, self.form_error = {}, ""

    @rx.event
    async def search_contacts(self, text: str) -> None:
        user = await self._current_user()
        if user is None:
            self._forget()
            return
        self.contact_results = await self._search(user, str(text))

    @rx.event
    async def save_deal(self, form: dict[str, Any]) -> None:
        data = {**form}
        if self.fixed_contact_id:
            data["contact_id"], data["conversation_id"] = (
                self.fixed_contact_id,
                self.conversation_id,
            )
        else:
            data["conversation_id"] = ""
        fields = form_fields(form, self.field_list)
        field_errors: dict[str, str] = {}
        editing = int(self.editing_id) if self.editing_id else None
        before = self.edit_values.get("stage_id", "")

        def work(scope: TenantScope, me: CurrentUser) -> tuple[str, int]:
            try:
                values = parse_form(DealForm.of(data))
            except DealInvalid as invalid:  # name the custom fields' errors too, at once
                field_errors.update(invalid.errors)
                field_errors.update(deals.field_errors(scope, fields=fields))
                raise
            try:
                if editing is not None:
                    deal = deals.update_deal(
                        scope, actor=me, deal_id=editing, values=values, fields=fields
                    )
                else:
                    deal = deals.create_deal(scope, actor=me, values=values, fields=fields)
                return deal.title, deal.stage_id
            except DealInvalid as invalid:
                field_errors.update(invalid.errors)
                raise

        outcome = await act(self, work)
        if not outcome.ok:
            self.form_errors = {k: self._tr(v) for k, v in field_errors.items()}
            self.form_error = outcome.error
            return
        self.form_errors, self.form_error = {}, ""
        self.form_open = False
        assert outcome.value is not None
        title, stage_id = outcome.value
        board = await self.get_state(PipelineState)
        if board.columns:  # opened from the board: show the card now (others hear a tick)
            done = "deals.saved" if editing is not None else "deals.created"
            board.notice = self._tr(done, title=title)
            await board._reload_columns({str(stage_id), before} - {""})
