"""TenantScope: every read and write of tenant-owned rows goes through here.

A row of another tenant is indistinguishable from a row that does not exist: both raise
:class:`NotFound`. Services take a scope, never a bare session plus a tenant id, so there is no
way to forget the filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

from whatsapp_saas.tenancy.models import TenantOwned

T = TypeVar("T", bound=TenantOwned)


class NotFound(LookupError):
    """The row does not exist for this tenant (whether or not it exists for another)."""

    def __init__(self, model: type[Any], row_id: object) -> None:
        super().__init__(f"{model.__name__} {row_id} not found")
        self.model = model
        self.row_id = row_id


class TenantScope:
    def __init__(self, session: Session, tenant_id: int) -> None:
        if not tenant_id:
            raise ValueError("a tenant scope needs a tenant id")
        self.session = session
        self.tenant_id = tenant_id

    def select(self, model: type[T]) -> SelectOfScalar[T]:
        """A SELECT of ``model`` already filtered to this tenant; add filters to it."""
        return select(model).where(model.tenant_id == self.tenant_id)

    def all(self, model: type[T], *criteria: Any) -> Sequence[T]:
        return self.session.exec(self.select(model).where(*criteria)).all()

    def first(self, model: type[T], *criteria: Any) -> T | None:
        return self.session.exec(self.select(model).where(*criteria)).first()

    def count(self, model: type[T], *criteria: Any) -> int:
        query = select(func.count()).select_from(model).where(model.tenant_id == self.tenant_id)
        return int(self.session.exec(query.where(*criteria)).one())

    def get(self, model: type[T], row_id: object, *, for_update: bool = False) -> T:
        query = self.select(model).where(model.id == row_id)  # type: ignore[attr-defined]
        if for_update:
            query = query.with_for_update()
        row = self.session.exec(query).first()
        if row is None:
            raise NotFound(model, row_id)
        return row

    def add(self, row: T) -> T:
        """Stamp the row with this tenant (refusing rows that claim another) and add it."""
        if getattr(row, "tenant_id", None) not in (None, self.tenant_id):
            raise NotFound(type(row), getattr(row, "id", None))
        row.tenant_id = self.tenant_id
        self.session.add(row)
        return row

    def delete(self, model: type[T], row_id: object) -> None:
        self.session.delete(self.get(model, row_id))
