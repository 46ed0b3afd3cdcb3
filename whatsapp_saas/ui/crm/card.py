"""What the profile page and the inbox panel both show of a contact, as state-ready data."""

from __future__ import annotations

from typing import Any

import reflex as rx

from whatsapp_saas.crm.profile_data import ProfileData, initials
from whatsapp_saas.phones import for_people
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm.common import field_rows
from whatsapp_saas.ui.realtime import TenantFeed, feed_token


class ContactCardVars(rx.State, mixin=True):
    """The vars of a contact card, shared by the profile page and the inbox panel (each
    state mixes them in before ``AppState``); :func:`card_vars` fills them."""

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

    def _show_card(self, data: ProfileData) -> None:
        """Every card var from one load (the state must also be an ``AppState``)."""
        assert isinstance(self, AppState)
        for key, value in card_vars(self, data).items():
            setattr(self, key, value)
        self.form_key += 1


def card_vars(state: AppState, data: ProfileData) -> dict[str, Any]:
    """The vars of a contact card (assign them all with ``setattr``)."""
    c = data.contact
    tag_ids = {t.id for t in data.tags}
    status = data.opt_out
    return {
        "contact_id": str(c.id),
        "name": c.name or "",
        "display_name": c.display_name,
        "initials": initials(c.display_name),
        "email": c.email or "",
        "company": c.company or "",
        "owner_id": str(c.owner_user_id or ""),
        "owner_name": data.owner_name,
        "tags": [{"id": str(t.id), "name": t.name, "color": t.color} for t in data.tags],
        "tag_choices": [
            {
                "id": str(t.id),
                "name": t.name,
                "color": t.color,
                "on": "yes" if t.id in tag_ids else "",
            }
            for t in data.all_tags
        ],
        "field_list": field_rows(state, data.fields, data.values),
        "users": [{"id": str(i), "label": n} for i, n in data.users],
        "opted_out": status.opted_out,
        "opt_out_text": (
            state._tr(
                "crm.opted_out_since",
                at=state._format_time(status.at),
                source=state._tr(f"crm.optout_source.{status.source}"),
                by=data.opt_out_by or "—",
            )
            if status.opted_out
            else state._tr("crm.not_opted_out")
        ),
        "identities": [
            {
                "kind": state._tr(f"crm.id_kind.{i.kind}"),
                "value": for_people(i.value) if i.kind == "phone" else i.value,
                "jid": _jid(i.kind, i.value),
                "raw": i.value,
                "is_phone": "1" if i.kind == "phone" else "",
            }
            for i in data.identities
        ],
        "timeline": [
            {
                "kind": e.kind,
                "at": state._format_time(e.at),
                "user": e.user_name or "—",
                "body": e.body,
                "field": _field_label(state, data, e.field),
                "old": _value_text(state, e.field, e.old),
                "new": _value_text(state, e.field, e.new),
            }
            for e in data.timeline
        ],
    }


def _value_text(state: AppState, field: str | None, value: str | None) -> str:
    """A change's old or new value as shown; the opt-out's stored yes/no in the language."""
    if field == "opt_out" and value in ("yes", "no"):
        return state._tr(f"crm.{value}")
    return value or "—"


async def follow_contacts(state: AppState) -> None:
    """Link the tab to its tenant's live feed (contact ticks; it also carries deal ticks)."""
    user = await state._current_user()
    if user is not None:
        feed = await state.get_state(TenantFeed)
        await feed._link_to(feed_token(user.tenant_id))


def _jid(kind: str, value: str) -> str:
    return f"{value.removeprefix('+')}@s.whatsapp.net" if kind == "phone" else f"{value}@lid"


def _field_label(state: AppState, data: ProfileData, field: str) -> str:
    if field.startswith("field:"):
        key = field.removeprefix("field:")
        return next((d.label for d in data.fields if d.key == key), key)
    return state._tr(f"crm.change.{field}") if field else ""
