"""What the profile page and the inbox panel both show of a contact, as state-ready data."""

from __future__ import annotations

from typing import Any

from whatsapp_saas.crm.profile_data import ProfileData, initials
from whatsapp_saas.phones import for_people
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.crm.common import field_rows


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
                "old": e.old or "—",
                "new": e.new or "—",
            }
            for e in data.timeline
        ],
    }


def _jid(kind: str, value: str) -> str:
    return f"{value.removeprefix('+')}@s.whatsapp.net" if kind == "phone" else f"{value}@lid"


def _field_label(state: AppState, data: ProfileData, field: str) -> str:
    if field.startswith("field:"):
        key = field.removeprefix("field:")
        return next((d.label for d in data.fields if d.key == key), key)
    return state._tr(f"crm.change.{field}") if field else ""
