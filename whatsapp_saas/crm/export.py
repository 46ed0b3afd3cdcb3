"""Exporting the current filter, segment or selection as CSV, with the columns picked.

Every export is written to the audit trail (who, which filter, which columns, how many).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.listing import ContactRow, decorate
from whatsapp_saas.crm.models import AuditEntry
from whatsapp_saas.crm.query import matching_ids
from whatsapp_saas.crm.visibility import visible_ids
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope

CORE_COLUMNS = ("name", "phone", "email", "company", "owner", "tags", "opted_out", "created_at")
EXPORT_MAX = 200_000
CHUNK = 2000


def column_value(row: ContactRow, column: str) -> str:
    contact = row.contact
    if column == "name":
        return contact.display_name if contact.name or contact.push_name else ""
    if column == "tags":
        return ", ".join(t.name for t in row.tags)
    if column == "owner":
        return row.owner_name
    if column == "opted_out":
        return "yes" if row.opted_out else "no"
    if column == "created_at":
        return contact.created_at.isoformat() if contact.created_at else ""
    if column.startswith("field:"):
        value: Any = (contact.custom_fields or {}).get(column.removeprefix("field:"))
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return "" if value is None else str(value)
    return str(getattr(contact, column, "") or "")


def export_csv(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    flt: ContactFilter,
    columns: Sequence[str],
    headers: Callable[[str], str],
    contact_ids: Sequence[int] | None = None,
    separator: str = ",",
) -> tuple[str, int]:
    """(CSV text with a BOM, row count). ``contact_ids`` exports a selection instead."""
    wanted = [c for c in columns if c in CORE_COLUMNS or c.startswith("field:")]
    if not wanted:
        raise UserError("crm.error_export_columns")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    writer.writerow([headers(c) for c in wanted])
    count = 0
    for ids in _batches(scope, actor, flt, contact_ids):
        contacts = list(scope.all(Contact, col(Contact.id).in_(ids)))
        contacts.sort(key=lambda c: c.id or 0)
        for row in decorate(scope, contacts=contacts):
            writer.writerow([column_value(row, c) for c in wanted])
            count += 1
    scope.add(
        AuditEntry(
            tenant_id=scope.tenant_id,
            user_id=actor.user_id,
            action="export",
            detail={
                "filter": flt.as_dict(),
                "columns": wanted,
                "rows": count,
                "selection": contact_ids is not None,
            },
        )
    )
    return "\ufeff" + out.getvalue(), count


def _batches(
    scope: TenantScope, actor: CurrentUser, flt: ContactFilter, contact_ids: Sequence[int] | None
) -> Any:
    if contact_ids is not None:
        ids = sorted(visible_ids(scope, actor=actor, contact_ids=list(contact_ids)))
        for start in range(0, len(ids), CHUNK):
            yield ids[start : start + CHUNK]
        return
    after, sent = 0, 0
    while sent < EXPORT_MAX:
        ids = matching_ids(scope, actor=actor, flt=flt, after_id=after, limit=CHUNK)
        if not ids:
            return
        yield ids
        after, sent = ids[-1], sent + len(ids)
