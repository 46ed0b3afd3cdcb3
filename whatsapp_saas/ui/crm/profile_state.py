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
from whatsapp_saas.ui.crm.card import card_vars
from whatsapp_saas.ui.crm.common import Refused, call, form_fields
from whatsapp_saas.ui.crm.routes import CONTACTS, contact_href


class ContactProfileState(AppState):
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
    conversations: list[dict[str, str]] = []
    plans: list[dict[str, str]] = []
    duplicates: list[dict[str, str]] = []
    merge_matches: list[dict[str, str]] = []
    editing: bool = False
    form_key: int = 0
    errors: dict[str, str] = {}
    error: str = ""
    notice: str = ""
    merge_target: str = ""
    merge_target_name: str = ""

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
        return None

    async def _reload(self, contact_id: int) -> None:
        def work(scope: TenantScope, viewer: CurrentUser) -> tuple[ProfileData, list[Any]]:
            data = load_profile(scope, viewer, contact_id)
            dups = merging.suggest_duplicates(scope, viewer=viewer, contact_id=contact_id)
            return data, dups

        try:
            data, dups = await call(self, work)
        except Refused as err:
            self.error, self.contact_id = err.message, ""
            return
        for key, value in card_vars(self, data).items():
            setattr(self, key, value)
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
        self.form_key += 1

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
                    scope, viewer=viewer, contact_id=contact_id, changes=changes
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
    async def toggle_tag(self, tag_id: str) -> None:
        contact_id = self._id()
        current = [t["id"] for t in self.tags]
        wanted = [t for t in current if t != tag_id] if tag_id in current else [*current, tag_id]

        def work(scope: TenantScope, viewer: CurrentUser) -> None:
            profile_check(scope, viewer, contact_id)
            tags.set_contact_tags(
                scope, contact_id, [int(t) for t in wanted if t.isdigit()], user_id=viewer.user_id
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
        await self._do(lambda s, v: profile.opt_out(s, viewer=v, contact_id=contact_id))

    @rx.event
    async def opt_in(self) -> None:
        contact_id = self._id()
        await self._do(lambda s, v: profile.opt_in(s, viewer=v, contact_id=contact_id))

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
                scope, viewer=viewer, flt=ContactFilter(search=text), per_page=8, with_total=False
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
                    scope, viewer=viewer, survivor_id=survivor, merged_id=int(other)
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

    visible_contact(scope, viewer, contact_id, for_update=True)
