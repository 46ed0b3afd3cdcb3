"""Internal notes and the change log of a contact, merged into one timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.contacts.events import (
    ContactFieldChanged,
    ContactTagAdded,
    ContactTagRemoved,
    ContactUpdated,
)
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.models import Change, Note
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.tenancy.scope import TenantScope

NOTE_MAX = 5000
VALUE_MAX = 500


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "note" | "change"
    at: datetime
    user_name: str
    field: str = ""
    old: str = ""
    new: str = ""
    body: str = ""


def add_note(scope: TenantScope, *, contact_id: int, user_id: int | None, body: str) -> Note:
    scope.get(Contact, contact_id)
    text = body.strip()
    if not text:
        raise UserError("crm.error_note_empty")
    if len(text) > NOTE_MAX:
        raise UserError("error.too_long", limit=NOTE_MAX)
    note = scope.add(
        Note(tenant_id=scope.tenant_id, contact_id=contact_id, author_user_id=user_id, body=text)
    )
    scope.session.flush()
    announce_after_commit(scope.session, ContactUpdated(scope.tenant_id, contact_id))
    return note


def record_change(
    scope: TenantScope, *, contact_id: int, user_id: int | None, field: str, old: Any, new: Any
) -> None:
    """One line of the change log (nothing when the value did not change)."""
    before, after = _shown(old), _shown(new)
    if before == after:
        return
    announce_after_commit(scope.session, *_change_events(scope, contact_id, field, old, new))
    scope.add(
        Change(
            tenant_id=scope.tenant_id,
            contact_id=contact_id,
            user_id=user_id,
            field=field[:60],
            old_value=before or None,
            new_value=after or None,
        )
    )


def _change_events(
    scope: TenantScope, contact_id: int, field: str, old: Any, new: Any
) -> list[Any]:
    """Typed events for a change (automations' tag and field triggers), in this transaction."""
    tenant = scope.tenant_id
    if field == "tags":
        before = set(old or []) if isinstance(old, (list, tuple, set)) else set()
        after = set(new or []) if isinstance(new, (list, tuple, set)) else set()
        added = [ContactTagAdded(tenant, contact_id, t) for t in sorted(after - before)]
        return [*added, *(ContactTagRemoved(tenant, contact_id, t) for t in sorted(before - after))]
    if field in ("created", "opt_out"):
        return []
    return [ContactFieldChanged(tenant, contact_id, field.removeprefix("field:"))]


def timeline(scope: TenantScope, *, contact_id: int, limit: int = 100) -> list[TimelineEntry]:
    notes = scope.session.exec(
        scope.select(Note)
        .where(col(Note.contact_id) == contact_id)
        .order_by(col(Note.id).desc())
        .limit(limit)
    ).all()
    changes = scope.session.exec(
        scope.select(Change)
        .where(col(Change.contact_id) == contact_id)
        .order_by(col(Change.id).desc())
        .limit(limit)
    ).all()
    names = _user_names(scope, {n.author_user_id for n in notes} | {c.user_id for c in changes})
    entries = [
        TimelineEntry("note", as_utc(n.created_at), names.get(n.author_user_id, ""), body=n.body)
        for n in notes
    ] + [
        TimelineEntry(
            "change",
            as_utc(c.at),
            names.get(c.user_id, ""),
            field=c.field,
            old=c.old_value or "",
            new=c.new_value or "",
        )
        for c in changes
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


def _user_names(scope: TenantScope, ids: set[int | None]) -> dict[int | None, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {u.id: u.name for u in scope.all(User, col(User.id).in_(wanted))}


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)[:VALUE_MAX]
    return str(value)[:VALUE_MAX]
