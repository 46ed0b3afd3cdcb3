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
from whatsapp_saas.ui.crm.card import ContactCardVars, follow_contacts
from whatsapp_saas.ui.crm.card_view import (
    edit_form,
    fields_view,
    live_refresh,
    notes_block,
    tags_block,
    timeline_block,
)
from whatsapp_saas.ui.crm.common import Refused, call, form_fields
from whatsapp_saas.ui.crm.routes import contact_href
from whatsapp_saas.ui.crm.widgets import avatar
from whatsapp_saas.ui.realtime import TenantFeed

PREFIX = "crm-panel"
TIMELINE_SHOWN = 5


class ContactPanelState(ContactCardVars, AppState):
    _loaded_lang: str = ""

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
        if self.contact_id:
            await follow_contacts(self)

    @rx.event
    async def relabel(self) -> None:
        """The language changed: dates and change labels are written server-side, re-read
        them (mounting sends this too; nothing is read when the language is the same)."""
        if self.contact_id and self.lang != self._loaded_lang and not self.editing:
            await self._load(self._id())

    @rx.event
    async def on_contact_tick(self) -> None:
        """A live ContactUpdated named the contact shown (the page checked): re-read it."""
        feed = await self.get_state(TenantFeed)
        if self.contact_id in feed.contacts_changed and not self.editing:
            await self._load(self._id())

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
            return load_profile(scope, actor=viewer, contact_id=contact_id)

        try:
            data = await call(self, work)
        except Refused as err:
            self.error, self.contact_id = err.message, ""
            return
        self._show_card(data)
        self.timeline, self._loaded_lang = self.timeline[:TIMELINE_SHOWN], self.lang

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
                    scope, actor=viewer, contact_id=contact_id, changes=changes
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
            visible_contact(scope, actor=viewer, contact_id=contact_id, for_update=True)
            tags.set_contact_tags(
                scope,
                contact_id=contact_id,
                tag_ids=[int(t) for t in wanted if t.isdigit()],
                user_id=viewer.user_id,
            )

        await self._do(work)

    @rx.event
    async def add_note(self, form: dict[str, Any]) -> None:
        contact_id, body = self._id(), str(form.get("note", ""))

        def work(scope: TenantScope, viewer: CurrentUser) -> None:
            visible_contact(scope, actor=viewer, contact_id=contact_id, for_update=True)
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
                    S.display_name,
                    href=S.profile_href,
                    weight="bold",
                    title=T["crm.open_profile"],
                    data_testid="crm-panel-name",
                ),
                rx.foreach(
                    S.identities, lambda i: rx.text(i["value"], size="1", color_scheme="gray")
                ),
                spacing="0",
            ),
            align="center",
        ),
        rx.cond(S.opted_out, rx.badge(T["crm.opted_out"], color_scheme="red")),
        tags_block(S, PREFIX, aria_key="crm.contact_tag"),
        rx.divider(),
        rx.cond(
            S.editing,
            edit_form(S, PREFIX, save_key="crm.save_contact", cancel_key="crm.cancel_edit"),
            rx.vstack(
                rx.text(S.email, size="2"),
                rx.text(S.company, size="2"),
                fields_view(S, PREFIX),
                rx.button(
                    rx.icon("pencil", size=14),
                    T["crm.edit_contact"],
                    size="1",
                    variant="soft",
                    on_click=S.start_edit,
                ),
                spacing="1",
                width="100%",
            ),
        ),
        rx.divider(),
        notes_block(S, PREFIX, label_key="crm.contact_note", add_key="crm.add_contact_note"),
        timeline_block(S),
        spacing="3",
        width="100%",
    )
    return rx.box(
        live_refresh(S, S.on_contact_tick),
        # Keyed outside, mounted inside: a key change remounts the children (and so fires
        # their on_mount), which a key on the element with on_mount itself does not.
        rx.box(rx.box(on_mount=S.relabel, display="none"), key=S.lang, display="none"),
        error_callout(S.error),
        rx.cond(S.contact_id != "", body),
        width="100%",
        data_testid="crm-panel",
    )
