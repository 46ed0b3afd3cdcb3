"""When a merge folds one conversation into another, the rows that hang on the folded one
follow the thread instead of vanishing with it.

Other packages' tables point at conversations (scheduling's follow-ups and scheduled messages,
deals, conversation tags, automation runs, …). The inbox must not import them, and must not
keep a registry of them either: it reads what the tables declare. Every foreign key to
``conversations.id`` in the loaded metadata (bootstrap loads every model module) is re-pointed
from the folded conversation to the kept one, in the merge's transaction, before the folded row
is deleted.

One rule, from each table's own unique keys: a row that would duplicate one the kept
conversation already has (a second *pending* follow-up, the same tag twice, a second menu
session) stays behind and goes the way its foreign key says (``CASCADE`` or ``SET NULL``):
the kept conversation's own row wins, and no constraint is broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

CONVERSATIONS_TABLE = "conversations"
HANDLED_BY_THE_FOLD = frozenset({"messages"})  # moved with their counters by the fold itself


@dataclass(frozen=True)
class UniqueKey:
    columns: tuple[str, ...]
    where: Any = None  # a partial index's predicate (unqualified column names)


@dataclass(frozen=True)
class Reference:
    table: sa.Table
    column: str
    keys: tuple[UniqueKey, ...]  # the unique keys that include ``column``


def move_references(session: Session, *, tenant_id: int, folded_id: int, kept_id: int) -> None:
    """Re-point every row that points at ``folded_id`` to ``kept_id`` (see the module doc)."""
    dialect = session.get_bind().dialect.name
    for ref in references(dialect):
        t = ref.table
        fk = t.c[ref.column]
        stmt = sa.update(t).where(fk == folded_id)
        if "tenant_id" in t.c:
            stmt = stmt.where(t.c.tenant_id == tenant_id)
        for key in ref.keys:
            stmt = stmt.where(sa.not_(_duplicates_one_of_kept(t, ref.column, key, kept_id)))
        session.execute(stmt.values({ref.column: kept_id}))


def _duplicates_one_of_kept(
    t: sa.Table, column: str, key: UniqueKey, kept_id: int
) -> sa.ColumnElement[bool]:
    theirs = t.alias("kept_rows")
    same = [theirs.c[name] == t.c[name] for name in key.columns if name != column]
    exists = sa.select(sa.literal(1)).select_from(theirs).where(theirs.c[column] == kept_id, *same)
    if key.where is None:
        return exists.exists()
    # The predicate's bare column names bind to the nearest table: the subquery's row inside
    # it, the updated row outside.
    exists = exists.where(key.where)
    return sa.and_(key.where, exists.exists())


def references(dialect: str) -> Iterator[Reference]:
    for table in SQLModel.metadata.sorted_tables:
        if table.name in HANDLED_BY_THE_FOLD:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == CONVERSATIONS_TABLE:
                name = fk.parent.name
                keys = tuple(k for k in _unique_keys(table, dialect) if name in k.columns)
                yield Reference(table, name, keys)


def _unique_keys(table: sa.Table, dialect: str) -> Iterator[UniqueKey]:
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint):
            yield UniqueKey(tuple(c.name for c in constraint.columns))
    for index in table.indexes:
        if index.unique:
            where = (
                index.dialect_options[dialect].get("where")
                if dialect in ("postgresql", "sqlite")
                else None
            )
            yield UniqueKey(tuple(c.name for c in index.columns), where)
