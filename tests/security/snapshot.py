"""Before/after pictures of the database: a row count and a content hash per table.

A picture can be narrowed to the rows that matter for one case: a tenant's rows (another
tenant may legitimately change its own), or the rows of one conversation (an agent may
legitimately change what they can see).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from whatsapp_saas.db import get_engine

Row = Mapping[str, Any]
RowFilter = Callable[[str, Row], bool]

# Written by the app on its own (leases, heartbeats, sender bookkeeping), whoever calls what.
BACKGROUND_TABLES = frozenset({"scheduler_state"})


@dataclass(frozen=True)
class TablePicture:
    rows: int
    digest: str


Picture = dict[str, TablePicture]


def every_row(_table: str, _row: Row) -> bool:
    return True


def tenant_rows(tenant_id: int) -> RowFilter:
    """The tenant's rows, and every row of tables that belong to no tenant."""

    def keep(table: str, row: Row) -> bool:
        if table == "tenants":
            return bool(row["id"] == tenant_id)
        return "tenant_id" not in row or row["tenant_id"] == tenant_id

    return keep


def conversation_rows(conversation_id: int, contact_id: int) -> RowFilter:
    """Everything about one conversation: it, its messages and plans, and its contact."""

    def keep(table: str, row: Row) -> bool:
        if table == "conversations":
            return bool(row["id"] == conversation_id)
        if table == "contacts":
            return bool(row["id"] == contact_id)
        return row.get("conversation_id") == conversation_id or row.get("contact_id") == contact_id

    return keep


Rows = dict[str, list[dict[str, Any]]]


def take(ignore: frozenset[str] = frozenset()) -> Rows:
    """Every row of every table of the app's schema (what Alembic created)."""
    from sqlmodel import SQLModel

    found: Rows = {}
    with get_engine().connect() as conn:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            if name in BACKGROUND_TABLES or name in ignore:
                continue
            found[name] = [dict(r) for r in conn.execute(sa.select(table)).mappings()]
    return found


def put_back(rows: Rows, attempts: int = 5) -> None:
    """Make the tables hold exactly ``rows`` again (ids and sequences included).

    The app under attack keeps background readers (spine runner, scheduler) on these tables;
    a TRUNCATE that deadlocks with one is rolled back whole, so it is simply tried again."""
    for attempt in range(attempts):
        try:
            _put_back_once(rows)
            return
        except sa.exc.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _put_back_once(rows: Rows) -> None:
    from sqlmodel import SQLModel

    tables = [t for t in SQLModel.metadata.sorted_tables if t.name in rows]
    with get_engine().begin() as conn:
        conn.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
        quoted = ", ".join(f'"{t.name}"' for t in tables)
        conn.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        for table in tables:  # parents first
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
            if "id" in table.c and rows[table.name]:
                top = max(int(r["id"]) for r in rows[table.name])
                conn.execute(
                    sa.text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                    {"t": table.name, "n": top},
                )


def picture(rows: Rows, keep: RowFilter = every_row) -> Picture:
    """A count and a content hash per table, of the rows ``keep`` selects."""
    result: Picture = {}
    for name, table_rows in rows.items():
        kept = sorted(_canonical(r) for r in table_rows if keep(name, r))
        digest = hashlib.sha256("\n".join(kept).encode()).hexdigest()
        result[name] = TablePicture(len(kept), digest)
    return result


def diff(before: Rows, after: Rows, keep: RowFilter = every_row) -> list[str]:
    return changes(picture(before, keep), picture(after, keep))


def changes(before: Picture, after: Picture) -> list[str]:
    """What differs, readably: ``table: rows 3 -> 4`` or ``table: contents changed``."""
    found = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if old is None or new is None or old.rows != new.rows:
            found.append(f"{name}: rows {old and old.rows} -> {new and new.rows}")
        else:
            found.append(f"{name}: contents changed")
    return found


def _canonical(row: Row) -> str:
    return json.dumps(row, sort_keys=True, default=str)
