"""The files rules and menus send: a small library per tenant, picked by id in an action.

A file is stored (and its limits checked, as for a reply) when a manager uploads it on the
Automations page; a "Send message" action or a menu option then names it by ``media_id``.
The row keeps the file from the media sweep, which deletes only what no row names.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, col

from whatsapp_saas.models_base import created_at_field
from whatsapp_saas.scheduling.outbound import StoredMedia
from whatsapp_saas.scheduling.schedules import store_media
from whatsapp_saas.tenancy.models import TenantOwned
from whatsapp_saas.tenancy.scope import TenantScope

FILES_MAX = 200  # per tenant: a library to pick from, not a drive


class AutomationFile(TenantOwned, table=True):
    __tablename__ = "automation_files"

    id: int | None = Field(default=None, primary_key=True)
    storage_key: str = Field(max_length=255)
    mimetype: str = Field(max_length=120)
    filename: str = Field(default="", max_length=255)
    size: int = Field(default=0)
    kind: str = Field(max_length=12)  # the MessageType value: image, video, audio, document…
    created_at: datetime = created_at_field()


def add_file(
    scope: TenantScope, *, data: bytes, mimetype: str, filename: str | None
) -> AutomationFile:
    """Store an uploaded file for rules and menus (UserError when it breaks a media limit)."""
    stored = store_media(scope, data=data, mimetype=mimetype, filename=filename)
    row = AutomationFile(
        tenant_id=scope.tenant_id,
        storage_key=stored.storage_key,
        mimetype=stored.mimetype,
        filename=(filename or "")[:255],
        size=stored.size,
        kind=stored.kind,
    )
    scope.session.add(row)
    scope.session.flush()
    return row


def list_files(scope: TenantScope) -> list[AutomationFile]:
    rows = scope.all(AutomationFile)
    return sorted(rows, key=lambda f: -(f.id or 0))[:FILES_MAX]


def media_of(scope: TenantScope, *, file_id: int) -> StoredMedia:
    """The file as an outbox attachment; another tenant's id is NotFound."""
    row = scope.get(AutomationFile, file_id)
    return StoredMedia(row.storage_key, row.mimetype, row.filename or None, row.size, row.kind)


def known_ids(scope: TenantScope, *, ids: set[int]) -> set[int]:
    """Which of ``ids`` are this tenant's files (saving a rule refuses the others)."""
    if not ids:
        return set()
    rows = scope.all(AutomationFile, col(AutomationFile.id).in_(sorted(ids)))
    return {row.id for row in rows if row.id is not None}
