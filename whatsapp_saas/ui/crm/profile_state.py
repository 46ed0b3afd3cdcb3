"""The contact profile page: everything about one contact, inline edit, notes, opt-out, merge."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import merging, profile, tags
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.listing import contact_page
from whatsapp_saas.crm.profile_data import ProfileData, load_profile
from whatsapp_saas.crm.timeline import add_note
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm.card import ContactCardVars, follow_contacts
from whatsapp_saas.ui.crm.common import Refused, call, form_fields
from whatsapp_saas.ui.crm.routes import CONTACTS, contact_href
from whatsapp_saas.ui.realtime import TenantFeed


class ContactProfileState(ContactCardVars, AppState):
    conversations: list[dict[str, str]] = []
    plans: list[dict[str, str]] = []
    duplicates: list[dict[str, str]] = []
    merge_matches: list[dict[str, str]] = []
    notice: str = ""
    merge_target: str = ""
    merge_target_name: str = ""
    _shown_lang: str = ""  # the language the card's dates and words were written in

    def _route_id(self) -> int | None:
        raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        return int(raw) if raw.isdigit() else None

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.error = self.notice = ""
        self.editing, self.errors, self.merge_matches = False, {}, []
        contact_id = self._route_id()
        if contact_id is None:
            return rx.redirect(CONTACTS)
        await self._reload(contact_id)
        if self.contact_id:
            await follow_contacts(self)
        return None

    @rx.event
    async def on_contact_tick(self) -> None:
        """A live ContactUpdated named this contact (an inbox panel or another tab saved it)."""
        feed = await self.get_state(TenantFeed)
        if self.contact_id in feed.contacts_changed and not self.editing:
            await self._reload(self._id())

    @rx.event
    async def follow_language(self) -> None:
        """The language changed (see the page's language marker): write the card again in
        it, dates included, unless an edit is open (it would lose what is typed)."""
        if self.contact_id and self.lang != self._shown_lang and not self.editing:
            await self._reload(self._id())

    async def _reload(self, contact_id: int) -> None:
        def work(scope: TenantScope, viewer: CurrentUser) -> tuple[ProfileData, list[Any]]:
            data = load_profile(scope, actor=viewer, contact_id=contact_id)
            dups = merging.suggest_duplicates(scope, actor=viewer, contact_id=contact_id)
            return data, dups

        try:
            data, dups = await call(self, work)
        except Refused as err:
            self.error, self.contact_id = err.message, ""
            return
        self._show_card(data)
        self._shown_lang = self.lang
        self.conversations = [
            {
                "id": str(a.link_id),
                "number": a.title,
                "status": self._tr(f"crm.conv.{a.status}"),
                "at": self._format_time(a.at),
            }
            for a in data.conversations
        ]
        self.plans = [
            {
                "kind": self._tr(f"crm.plan.{a.kind}"),
                "title": a.title,
                "status": a.status,
                "at": self._format_time(a.at),
            }
            for a in data.plans
        ]
        self.duplicates = [
            {
                "id": str(d.contact_id),
                "name": d.name,
                "reason": self._tr(d.reason),
                "href": contact_href(d.contact_id),
            }
            for d in dups
        ]

    def _id(self) -> int:
        return int(self.contact_id) if self.contact_id.isdigit() else 0

    @rx.event
    def start_edit(self) -> None:
        self.editing, self.errors, self.form_key = True, {}, self.form_key + 1

    @rx.event
    def cancel_edit(self) -> None:
        self.editing, self.errors = False, {}

    @rx.event
    async def save(self, form: dict[str, Any]) -> None:
        self.error = self.notice = ""
        contact_id = self._id()
        changes: dict[str, Any] = {
            "name": form.get("name", ""),
            "email": form.get("email", ""),
            "company": form.get("company", ""),
            "owner_user_id": form.get("owner_user_id", ""),
            "fields": form_fields(form, self.field_list),
        }
        try:
            await call(
                self,
                lambda scope, viewer: profile.update_profile(
                    scope, actor=viewer, contact_id=contact_id, changes=changes
                ),
            )
        except Refused as err:
            self.errors = err.fields
            self.error = "" if err.fields else err.message
            return
        self.editing, self.errors = False, {}
        self.notice = self._tr("crm.saved")
        await self._reload(contact_id)

    @rx.event
    async def add_phone(self, form: dict[str, Any]) -> None:
        """Give the contact one more phone (edit mode); a number another contact has is
        refused, and that contact is offered below for merging instead."""
        self.error = self.notice = ""
        contact_id, typed = self._id(), str(form.get("new_phone", ""))
        try:
            await call(
                self,
                lambda scope, viewer: profile.add_phone(
                    scope, actor=viewer, contact_id=contact_id, phone=typed
                ),
            )
        except Refused as err:
            others = {k: v for k, v in self.errors.items() if k != "phone"}
            self.errors = {**others, **err.fields}
            self.error = "" if err.fields else err.message
            taken = err.__cause__
            if isinstance(taken, profile.PhoneTaken):
                self.merge_matches = [
                    {"id": str(taken.contact_id), "name": taken.name, "phone": typed}
                ]
            return
        self.errors = {k: v for k, v in self.errors.items() if k != "phone"}
        self.notice = self._tr("crm.phone_added")
        await self._reload(contact_id)

    @rx.event
    async def remove_phone(self, phone: str) -> None:
        """Take a phone off the contact, unless a conversation uses it."""
        self.error = self.notice = ""
        contact_id = self._id()
        try:
            await call(
                self,
                lambda scope, viewer: profile.remove_phone(
                    scope, actor=viewer, contact_id=contact_id, phone=phone
                ),
            )
        except Refused as err:
            self.error = err.message
            return
        self.notice = self._tr("crm.phone_removed")
        await self._reload(contact_id)

    @rx.event
    async def toggle_tag(self, tag_id: str) -> None:
        contact_id = self._id()
        current = [t["id"] for t in self.tags]
        wanted = [t for t in current if t != tag_id] if tag_id in current else [*current, tag_id]

        def work(scope: TenantScope, viewer: CurrentUser) -> None:
            profile_check(scope, viewer, contact_id)
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
            profile_check(scope, viewer, contact_id)
            add_note(scope, contact_id=contact_id, user_id=viewer.user_id, body=body)

        await self._do(work)

    @rx.event
    async def opt_out(self) -> None:
        contact_id = self._id()
        await self._do(lambda s, v: profile.opt_out(s, actor=v, contact_id=contact_id))

    @rx.event
    async def opt_in(self) -> None:
        contact_id = self._id()
        await self._do(lambda s, v: profile.opt_in(s, actor=v, contact_id=contact_id))

    async def _do(self, work: Any) -> None:
        self.error = self.notice = ""
        try:
            await call(self, work)
        except Refused as err:
            self.error = err.message
            return
        await self._reload(self._id())

    # --- merge ------------------------------------------------------------------------

    @rx.event
    async def find_merge(self, form: dict[str, Any]) -> None:
        text, me = str(form.get("merge_search", "")).strip(), self._id()
        if not text:
            self.merge_matches = []
            return

        def work(scope: TenantScope, viewer: CurrentUser) -> list[dict[str, str]]:
            page = contact_page(
                scope, actor=viewer, flt=ContactFilter(search=text), per_page=8, with_total=False
            )
            return [
                {
                    "id": str(r.contact.id),
                    "name": r.contact.display_name,
                    "phone": r.contact.phone or "",
                }
                for r in page.rows
                if r.contact.id != me
            ]

        try:
            self.merge_matches = await call(self, work)
        except Refused as err:
            self.error = err.message

    @rx.event
    def ask_merge(self, other_id: str, other_name: str) -> None:
        self.merge_target, self.merge_target_name = other_id, other_name

    @rx.event
    def cancel_merge(self) -> None:
        self.merge_target = self.merge_target_name = ""

    @rx.event
    async def confirm_merge(self):  # type: ignore[no-untyped-def]
        """Fold the chosen contact into this one (this profile survives)."""
        survivor, other = self._id(), self.merge_target
        self.merge_target = self.merge_target_name = ""
        if not other.isdigit():
            return None
        try:
            await call(
                self,
                lambda scope, viewer: merging.merge_contacts(
                    scope, actor=viewer, survivor_id=survivor, merged_id=int(other)
                ),
            )
        except Refused as err:
            self.error = err.message
            return None
        self.notice, self.merge_matches = self._tr("crm.merged"), []
        await self._reload(survivor)
        return None


def profile_check(scope: TenantScope, viewer: CurrentUser, contact_id: int) -> None:
    """NotFound unless the viewer may see (and so edit) this contact."""
    from whatsapp_saas.crm.visibility import visible_contact

    visible_contact(scope, actor=viewer, contact_id=contact_id, for_update=True)
