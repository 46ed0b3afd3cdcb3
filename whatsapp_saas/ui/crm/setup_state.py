"""CRM setup (managers): custom fields, tags and who may see which contacts."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import fields as field_svc
from whatsapp_saas.crm import tags as tag_svc
from whatsapp_saas.crm.models import FieldType
from whatsapp_saas.crm.visibility import agent_visibility, set_agent_visibility
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm.common import Refused, call

FIELD_TYPES = [t.value for t in FieldType]


def _number(form: dict[str, Any], name: str) -> float | None:
    text = str(form.get(name) or "").strip().replace(",", ".")
    try:
        return float(text) if text else None
    except ValueError:
        return None


class CrmSetupState(AppState):
    field_rows: list[dict[str, str]] = []
    tag_rows: list[dict[str, str]] = []
    visibility: str = "mine"
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        redirect = await self.require_login()
        if redirect is not None:
            return redirect
        self.error = self.notice = ""
        await self._refresh()
        return None

    async def _refresh(self) -> None:
        def work(scope: TenantScope, _v: CurrentUser) -> tuple[Any, Any, str]:
            return field_svc.definitions(scope), tag_svc.list_tags(scope), agent_visibility(scope)

        try:
            defs, tags, visibility = await call(self, work, managers_only=True)
        except Refused as err:
            self.error = err.message
            return
        self.field_rows = [
            {
                "id": str(d.id),
                "key": d.key,
                "label": d.label,
                "type": self._tr(f"crm.type.{d.type}"),
                "options": ", ".join(d.options),
            }
            for d in defs
        ]
        self.tag_rows = [{"id": str(t.id), "name": t.name, "color": t.color} for t in tags]
        self.visibility = visibility

    async def _change(self, work: Any, notice_key: str) -> None:
        self.error = self.notice = ""
        try:
            await call(self, work, managers_only=True)
        except Refused as err:
            self.error = next(iter(err.fields.values()), err.message)
            return
        self.notice = self._tr(notice_key)
        await self._refresh()

    @rx.event
    async def create_field(self, form: dict[str, Any]) -> None:
        options = [o.strip() for o in str(form.get("options", "")).split(",")]

        def work(scope: TenantScope, _v: CurrentUser) -> None:
            field_svc.create_definition(
                scope,
                entity=str(form.get("entity") or "contact"),
                key=str(form.get("key", "")).strip().lower(),
                label=str(form.get("label", "")),
                type=str(form.get("type", "")),
                options=options,
                pattern=str(form.get("pattern") or "") or None,
                min_value=_number(form, "min_value"),
                max_value=_number(form, "max_value"),
                currency=str(form.get("currency") or "BRL"),
            )

        await self._change(work, "crm.setup_field_added")

    @rx.event
    async def remove_field(self, definition_id: str) -> None:
        if definition_id.isdigit():
            await self._change(
                lambda s, _v: field_svc.delete_definition(s, definition_id=int(definition_id)),
                "crm.setup_deleted",
            )

    @rx.event
    async def add_tag(self, form: dict[str, Any]) -> None:
        name, color = str(form.get("name", "")), str(form.get("color", "gray"))
        await self._change(
            lambda s, _v: tag_svc.create_tag(s, name=name, color=color), "crm.setup_tag_added"
        )

    @rx.event
    async def delete_tag(self, tag_id: str) -> None:
        if tag_id.isdigit():
            await self._change(
                lambda s, _v: tag_svc.delete_tag(s, tag_id=int(tag_id)), "crm.setup_deleted"
            )

    @rx.event
    async def save_visibility(self, value: str) -> None:
        await self._change(lambda s, v: set_agent_visibility(s, actor=v, value=value), "crm.saved")
