"""CSV import as a resumable job: upload, map, preview, then rows in idempotent chunks.

The upload stores every data row as ``crm_import_rows`` (job id, row number): that pair is
the idempotency key. A chunk takes the next pending rows, imports each inside a savepoint
(a row imports whole or is marked failed with its reason), and commits the contacts and the
rows' new statuses together, so a killed worker redoes only the chunk it had not committed.
Counts are read from the rows themselves, never from a counter that could drift.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact, ContactIdentity, IdentityKind
from whatsapp_saas.crm import tags as tag_svc
from whatsapp_saas.crm.import_rows import ParsedRow, RowError, parse_row
from whatsapp_saas.crm.models import AuditEntry, ImportRow, Job, JobKind, JobStatus, RowStatus
from whatsapp_saas.crm.profile import touch
from whatsapp_saas.crm.timeline import record_change
from whatsapp_saas.csvfiles import CsvTable, read_csv
from whatsapp_saas.db.sqlutil import insert_ignore
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox.access import check_viewer
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.phones import DEFAULT_REGION
from whatsapp_saas.tenancy.scope import TenantScope

MAX_ROWS = 50_000
INSERT_BATCH = 1000
ROWS: sa.Table = ImportRow.__table__  # type: ignore[attr-defined]
IDENTITIES: sa.Table = ContactIdentity.__table__  # type: ignore[attr-defined]


class Duplicates(StrEnum):
    MERGE = "merge"  # update the existing contact (found by phone, LID or email)
    SKIP = "skip"
    CREATE = "create"  # a new contact anyway (ids already taken stay with the old one)


@dataclass(frozen=True)
class ImportProgress:
    total: int
    pending: int
    created: int
    merged: int
    skipped: int
    failed: int

    @property
    def done(self) -> int:
        return self.total - self.pending


def read_table(data: bytes | str) -> CsvTable:
    table = read_csv(data, max_rows=MAX_ROWS + 1)
    if not table.rows or not any(table.rows[0]):
        raise UserError("crm.import_empty_file")
    if len(table.rows) > MAX_ROWS + 1:
        raise UserError("error.csv_too_many_rows", limit=MAX_ROWS)
    return table


def upload(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    data: bytes | str,
    file_name: str = "",
    region: str | None = DEFAULT_REGION,
) -> Job:
    """Store an uploaded file's rows as a draft import (the header row is kept apart)."""
    check_viewer(scope, actor=actor)
    if not actor.is_manager:
        raise PermissionDenied()
    table = read_table(data)
    header, rows = table.rows[0], table.rows[1:]
    job = Job(
        tenant_id=scope.tenant_id,
        kind=JobKind.IMPORT.value,
        status=JobStatus.DRAFT.value,
        params={
            "header": header,
            "file_name": file_name[:200],
            "region": region,
            "user_id": actor.user_id,
            "sep": table.separator,
            "encoding": table.encoding,
        },
        total=len(rows),
        created_by_user_id=actor.user_id,
    )
    scope.add(job)
    scope.session.flush()
    assert job.id is not None
    _store_rows(scope, job.id, rows)
    return job


def queue(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    job_id: int,
    mapping: Sequence[str],
    duplicates: str,
) -> Job:
    """Start a draft import with this column mapping and duplicates policy."""
    job = import_job(scope, actor=actor, job_id=job_id)
    if job.status != JobStatus.DRAFT.value:
        raise UserError("crm.import_already_started")
    if duplicates not in {d.value for d in Duplicates}:
        raise UserError("crm.import_policy")
    mapping = list(mapping)[: len(job.params.get("header", []))]
    if not any(t in ("phone", "email", "lid") for t in mapping):
        raise UserError("crm.import_needs_id")
    job.params = {**job.params, "mapping": mapping, "duplicates": duplicates}
    job.status = JobStatus.QUEUED.value
    scope.session.add(job)
    scope.add(
        AuditEntry(
            tenant_id=scope.tenant_id,
            user_id=actor.user_id,
            action="import",
            detail={"job_id": job.id, "rows": job.total, "file": job.params.get("file_name")},
        )
    )
    return job


def start_import(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    data: bytes | str,
    mapping: Sequence[str],
    duplicates: str,
    file_name: str = "",
    region: str | None = DEFAULT_REGION,
) -> Job:
    """Upload and queue in one go (what scripts and tests use)."""
    job = upload(scope, actor=actor, data=data, file_name=file_name, region=region)
    assert job.id is not None
    return queue(scope, actor=actor, job_id=job.id, mapping=mapping, duplicates=duplicates)


def first_rows(scope: TenantScope, *, job: Job, count: int = 5) -> list[ImportRow]:
    return list(
        scope.session.exec(
            select(ImportRow)
            .where(col(ImportRow.tenant_id) == scope.tenant_id, col(ImportRow.job_id) == job.id)
            .order_by(col(ImportRow.row_number))
            .limit(count)
        ).all()
    )


def _store_rows(scope: TenantScope, job_id: int, rows: Sequence[list[str]]) -> None:
    for start in range(0, len(rows), INSERT_BATCH):
        batch = [
            {
                "job_id": job_id,
                "row_number": start + i + 2,
                "tenant_id": scope.tenant_id,
                "cells": cells,
                "status": RowStatus.PENDING.value,
            }
            for i, cells in enumerate(rows[start : start + INSERT_BATCH])
        ]
        scope.session.execute(sa.insert(ROWS), batch)


def run_chunk(scope: TenantScope, job: Job, limit: int) -> bool:
    """Import the next ``limit`` pending rows (see the module doc); True when none is left."""
    assert job.id is not None
    pending = scope.session.exec(
        select(ImportRow)
        .where(col(ImportRow.job_id) == job.id, col(ImportRow.status) == RowStatus.PENDING.value)
        .order_by(col(ImportRow.row_number))
        .limit(limit)
    ).all()
    params = job.params
    importer = RowImporter(
        scope, params["mapping"], params["duplicates"], params.get("region"), params.get("user_id")
    )
    for row in pending:
        importer.import_row(row)
        scope.session.add(row)
    job.processed += len(pending)
    scope.session.flush()
    return len(pending) < limit


class RowImporter:
    def __init__(
        self,
        scope: TenantScope,
        mapping: Sequence[str],
        duplicates: str,
        region: str | None,
        user_id: int | None,
    ) -> None:
        self.scope, self.mapping, self.duplicates = scope, list(mapping), duplicates
        self.region, self.user_id = region, user_id
        self._tags: dict[str, int] = {}

    def import_row(self, row: ImportRow) -> None:
        try:
            with self.scope.session.begin_nested():
                parsed = parse_row(
                    self.scope, cells=row.cells, mapping=self.mapping, region=self.region
                )
                row.status, row.contact_id = self._store(parsed)
                row.reason = None
        except RowError as err:
            row.status, row.reason, row.contact_id = RowStatus.FAILED.value, err.stored, None
        except UserError as err:
            row.status, row.reason, row.contact_id = RowStatus.FAILED.value, err.code, None

    def _store(self, parsed: ParsedRow) -> tuple[str, int | None]:
        existing = self._existing(parsed)
        if existing is not None and self.duplicates == Duplicates.SKIP:
            return RowStatus.SKIPPED.value, existing.id
        if existing is not None and self.duplicates == Duplicates.MERGE:
            self._apply(existing, parsed, new=False)
            return RowStatus.MERGED.value, existing.id
        contact = Contact(tenant_id=self.scope.tenant_id, phone=parsed.phone)
        self.scope.add(contact)
        self.scope.session.flush()
        self._apply(contact, parsed, new=True)
        return RowStatus.CREATED.value, contact.id

    def _existing(self, parsed: ParsedRow) -> Contact | None:
        for kind, value in ((IdentityKind.PHONE, parsed.phone), (IdentityKind.LID, parsed.lid)):
            if value:
                owner = self.scope.first(
                    ContactIdentity,
                    ContactIdentity.kind == kind.value,
                    ContactIdentity.value == value,
                )
                if owner is not None:
                    return self.scope.get(Contact, owner.contact_id)
        if parsed.email:
            query = self.scope.select(Contact).where(col(Contact.email) == parsed.email)
            return self.scope.session.exec(query.order_by(col(Contact.id))).first()
        return None

    def _apply(self, contact: Contact, parsed: ParsedRow, *, new: bool) -> None:
        assert contact.id is not None
        for key in ("name", "email", "company"):
            value = getattr(parsed, key)
            if value and value != getattr(contact, key):
                if not new:
                    record_change(
                        self.scope,
                        contact_id=contact.id,
                        user_id=self.user_id,
                        field=key,
                        old=getattr(contact, key),
                        new=value,
                    )
                setattr(contact, key, value)
        if parsed.phone and not contact.phone:
            contact.phone = parsed.phone
        if parsed.fields:
            contact.custom_fields = {**(contact.custom_fields or {}), **parsed.fields}
        if new:
            record_change(
                self.scope,
                contact_id=contact.id,
                user_id=self.user_id,
                field="created",
                old=None,
                new="import",
            )
        touch(contact)
        self.scope.session.add(contact)
        self._attach_ids(contact.id, parsed)
        for name in parsed.tags:
            tag_svc.tag_contacts(self.scope, tag_id=self._tag_id(name), contact_ids=[contact.id])

    def _attach_ids(self, contact_id: int, parsed: ParsedRow) -> None:
        now = utcnow()
        rows: list[dict[str, object]] = [
            {
                "tenant_id": self.scope.tenant_id,
                "contact_id": contact_id,
                "kind": kind.value,
                "value": value,
                "created_at": now,
            }
            for kind, value in ((IdentityKind.PHONE, parsed.phone), (IdentityKind.LID, parsed.lid))
            if value
        ]
        insert_ignore(
            self.scope.session, table=IDENTITIES, rows=rows, conflict=["tenant_id", "kind", "value"]
        )

    def _tag_id(self, name: str) -> int:
        key = name.casefold()
        if key not in self._tags:
            tag = tag_svc.create_tag(self.scope, name=name)
            assert tag.id is not None
            self._tags[key] = tag.id
        return self._tags[key]


def import_job(scope: TenantScope, *, actor: CurrentUser, job_id: int) -> Job:
    check_viewer(scope, actor=actor)
    job = scope.get(Job, job_id)
    if job.kind != JobKind.IMPORT.value or not actor.is_manager:
        raise PermissionDenied()
    return job


def progress(scope: TenantScope, *, job_id: int) -> ImportProgress:
    query = (
        sa.select(ROWS.c.status, sa.func.count())
        .where(ROWS.c.tenant_id == scope.tenant_id, ROWS.c.job_id == job_id)
        .group_by(ROWS.c.status)
    )
    counts = {status: int(n) for status, n in scope.session.execute(query)}
    return ImportProgress(
        total=sum(counts.values()),
        pending=counts.get(RowStatus.PENDING.value, 0),
        created=counts.get(RowStatus.CREATED.value, 0),
        merged=counts.get(RowStatus.MERGED.value, 0),
        skipped=counts.get(RowStatus.SKIPPED.value, 0),
        failed=counts.get(RowStatus.FAILED.value, 0),
    )


def failed_rows_csv(scope: TenantScope, *, job: Job, translate: Callable[[str, str], str]) -> str:
    """The failed rows as they were uploaded, plus a last column with the reason, to fix and
    import again. ``translate(code, value)`` words each reason in the reader's language."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=job.params.get("sep") or ",")
    writer.writerow([*job.params.get("header", []), translate("crm.import_reason_header", "")])
    rows = scope.session.exec(
        select(ImportRow)
        .where(col(ImportRow.tenant_id) == scope.tenant_id, col(ImportRow.job_id) == job.id)
        .where(col(ImportRow.status) == RowStatus.FAILED.value)
        .order_by(col(ImportRow.row_number))
    ).all()
    for row in rows:
        code, _, value = (row.reason or "").partition("|")
        writer.writerow([*row.cells, translate(code, value)])
    return "\ufeff" + out.getvalue()


def preview(
    scope: TenantScope, *, job: Job, mapping: Sequence[str], rows: int = 5
) -> list[tuple[int, ParsedRow | None, UserError | None]]:
    """The first data rows as they will be stored (or why each would fail)."""
    found: list[tuple[int, ParsedRow | None, UserError | None]] = []
    region = job.params.get("region")
    for row in first_rows(scope, job=job, count=rows):
        try:
            found.append(
                (
                    row.row_number,
                    parse_row(scope, cells=row.cells, mapping=mapping, region=region),
                    None,
                )
            )
        except UserError as err:
            found.append((row.row_number, None, err))
    return found
