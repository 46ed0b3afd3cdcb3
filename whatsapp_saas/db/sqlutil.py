"""Small SQL helpers that must work the same on PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def insert_ignore(
    session: Session,
    *,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
    returning: Sequence[sa.ColumnElement[Any]] = (),
) -> list[tuple[Any, ...]]:
    """INSERT ... ON CONFLICT (conflict) DO NOTHING; returns the rows actually inserted.

    Both dialects speak the same clause, so a replayed row is skipped without an error and
    without aborting the transaction (unlike catching IntegrityError).
    """
    if not rows:
        return []
    module = postgresql if dialect_name(session) == "postgresql" else sqlite
    stmt: Any = module.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        stmt = stmt.returning(*returning)
        result = session.execute(stmt, list(rows))
        return [tuple(row) for row in result.all()]
    session.execute(stmt, list(rows))
    return []
