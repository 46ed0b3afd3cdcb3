"""The contact panel for the inbox's side: profile, tags, fields, notes and quick edit.

Self-contained (its own state), so the inbox mounts it with one line and opens a contact
with one event::

    from whatsapp_saas.ui.crm.panel import ContactPanelState, contact_panel
    contact_panel()                                  # in the side pane
    ContactPanelState.open_contact(contact_id)       # when a conversation is selected

Every change goes through the same services as the profile page and announces
``ContactUpdated`` after commit, so the CRM and other open panels can refresh
(``refresh_contact``) when the live feed delivers it.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import profile, tags
from whatsapp_saas.crm.profile_data import ProfileData, load_profile
from whatsapp_saas.crm.timeline import add_note
from whatsapp_saas.crm.visibility import visible_contact
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.components import error_callout
from whatsapp_saas.ui.crm.card import card_vars
from whatsapp_saas.ui.crm.card_view import (
    edit_form,
    fields_view,
    notes_block,
    shown_tags,
    tags_block,
    timeline_block,
)
from whatsapp_saas.ui.crm.common import Refused, call, form_fields
from whatsapp_saas.ui.crm.routes import contact_href
from whatsapp_saas.ui.crm.widgets import avatar

PREFIX = "crm-panel"
TIMELINE_SHOWN = 5


class ContactPanelState(AppState):
    contact_id: str = ""
    name: str = ""
    display_name: str = ""
    initials: str = ""
    email: str = ""
    company: str = ""
    owner_id: str = ""
    owner_name: str = ""
    tags: list[dict[str, str]] = []
    tag_choices: list[dict[str, str]] = []
    field_list: list[dict[str, str]] = []
    users: list[dict[str, str]] = []
    opted_out: bool = False
    opt_out_text: str = ""
    identities: list[dict[str, str]] = []
    timeline: list[dict[str, str]] = []
    editing: bool = False
    form_key: int = 0
    errors: dict[str, str] = {}
    error: str = ""

    @rx.var
    def profile_href(self) -> str:
        return contact_href(self.contact_id) if self.contact_id else ""

    def _id(self) -> int:
        return int(self.contact_id) if self.contact_id.isdigit() else 0

    @rx.event
    async def open_contact(self, contact_id: int | str) -> None:
        """Show this contact (NotFound for one the viewer may not see: the panel empties)."""
        self.editing, self.errors, self.error = False, {}, ""
        wanted = int(contact_id) if str(contact_id).isdigit() else 0
        await self._load(wanted)

    @rx.event
    async def refresh_contact(self, contact_id: int | str = "") -> None:
        """Re-read the contact shown (on a ContactUpdated for it, or by hand)."""
        shown = contact_id in ("", None) or str(contact_id) == self.contact_id
        if shown and not self.editing:
            await self._load(self._id())

    async def _load(self, contact_id: int) -> None:
        if not contact_id:
            self.contact_id = ""
            return

        def work(scope: TenantScope, viewer: CurrentUser) -> ProfileData:
            return load_profile(scope, viewer, contact_id)

        try:
            data = await call(self, work)
        except Refused as err:
            self.error, self.contact_id = err.message, ""
            return
        for key, value in card_vars(self, data).items():
            setattr(self, key, value)
        self.timeline = self.timeline[:TIMELINE_SHOWN]
        self.form_key += 1

    @rx.event
    def start_edit(self) -> None:
        self.editing, self.errors, self.form_key = True, {}, self.form_key + 1

    @rx.event
    def cancel_edit(self) -> None:
        self.editing, self.errors = False, {}

    @rx.event
    async def save(self, form: dict[str, Any]) -> None:
        contact_id = self._id()
        changes: dict[str, Any] = {
            "name": form.get("name", ""),
            "email": form.get("email", ""),
            "company": form.get("company", ""),
            "owner_user_id": form.get("owner_user_id", ""),
            "fields": form_fields(form, self.field_list),
        }
        self.error = ""
        try:
            await call(
                self,
                lambda scope, viewer: profile.update_profile(
                    scope, viewer=viewer, contact_id=contact_id, changes=changes
                ),
            )
        except Refused as err:
            self.errors, self.error = err.fields, "" if err.fields else err.message
            return
        self.editing, self.errors = False, {}
        await self._load(contact_id)

    @rx.event
    async def toggle_tag(self, tag_id: str) -> None:
        contact_id = self._id()
        current = [t["id"] for t in self.tags]
        wanted = [t for t in current if t != tag_id] if tag_id in current else [*current, tag_id]

        def work(scope: TenantScope, viewer: CurrentUser) -> None:
            visible_contact(scope, viewer, contact_id, for_update=True)
            tags.set_contact_tags(
                scope, contact_id, [int(t) for t in wanted if t.isdigit()], user_id=viewer.user_id
            )

        await self._do(work)

    @rx.event
    async def add_note(self, form: dict[str, Any]) -> None:
        contact_id, body = self._id(), str(form.get("note", ""))

        def work(scope: TenantScope, viewer: CurrentUser) -> None:
            visible_contact(scope, viewer, contact_id, for_update=True)
            add_note(scope, contact_id=contact_id, user_id=viewer.user_id, body=body)

        await self._do(work)

    async def _do(self, work: Any) -> None:
        self.error = ""
        try:
            await call(self, work)
        except Refused as err:
            self.error = err.message
            return
        await self._load(self._id())


S = ContactPanelState
T = S.t


def contact_panel() -> rx.Component:
    """The panel (empty until ``open_contact``)."""
    body = rx.vstack(
        rx.hstack(
            avatar(S.initials, "4"),
            rx.vstack(
                rx.link(
                    S.display_name, href=S.profile_href, weight="bold", data_testid="crm-panel-name"
                ),
                rx.foreach(
                    S.identities, lambda i: rx.text(i["value"], size="1", color_scheme="gray")
                ),
                spacing="0",
            ),
            align="center",
        ),
        rx.cond(S.opted_out, rx.badge(T["crm.opted_out"], color_scheme="red")),
        shown_tags(S),
        tags_block(S, PREFIX),
        rx.divider(),
        rx.cond(
            S.editing,
            edit_form(S, PREFIX),
            rx.vstack(
                rx.text(S.email, size="2"),
                rx.text(S.company, size="2"),
                fields_view(S, PREFIX),
                rx.button(
                    rx.icon("pencil", size=14),
                    T["crm.edit"],
                    size="1",
                    variant="soft",
                    on_click=S.start_edit,
                ),
                spacing="1",
                width="100%",
            ),
        ),
        rx.divider(),
        notes_block(S, PREFIX),
        timeline_block(S),
        spacing="3",
        width="100%",
    )
    return rx.box(
        error_callout(S.error),
        rx.cond(S.contact_id != "", body),
        width="100%",
        data_testid="crm-panel",
    )
