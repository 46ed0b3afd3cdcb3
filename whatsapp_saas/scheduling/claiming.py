"""Finding and claiming due rows, the same way for schedules, follow-ups and campaigns.

Due rows are read with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two schedulers split the
work instead of waiting on each other; every claim is then a conditional UPDATE (a
compare-and-set on the columns the reader saw), so even a scheduler that read a stale row
claims nothing. Each row runs in a savepoint: one bad row fails alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.db.sqlutil import dialect_name
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import NotFound, TenantScope

log = logging.getLogger(__name__)

Work = Callable[[TenantScope, int], Any]
OnFailure = Callable[[TenantScope, int, str], None]


def due_rows(
    session: Session, *, table: sa.Table, now: datetime, limit: int
) -> list[tuple[int, int]]:
    """(id, tenant_id) of pending rows due by ``now``, oldest first."""
    query = (
        sa.select(table.c.id, table.c.tenant_id)
        .where(table.c.status == "pending", table.c.due_at <= now)
        .order_by(table.c.due_at, table.c.id)
        .limit(limit)
    )
    return [(int(i), int(t)) for i, t in session.execute(lock_skipping(session, query=query)).all()]


def next_due(session: Session, *, table: sa.Table) -> datetime | None:
    """When the earliest pending row is due (an index lookup), so the loop can wake for it."""
    query = sa.select(sa.func.min(table.c.due_at)).where(table.c.status == "pending")
    found: datetime | None = session.execute(query).scalar_one_or_none()
    if found is None:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def lock_skipping(session: Session, *, query: Any) -> Any:
    """Lock the selected rows, skipping rows another scheduler holds (PostgreSQL only; SQLite
    has one writer at a time anyway)."""
    if dialect_name(session) == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def compare_and_set(
    session: Session,
    *,
    table: sa.Table,
    row_id: int,
    expected: dict[str, Any],
    values: dict[str, Any],
) -> bool:
    """UPDATE the row only if it still has the ``expected`` values; True if it did."""
    stmt = (
        sa.update(table)
        .where(table.c.id == row_id, *(table.c[k] == v for k, v in expected.items()))
        .values(**values)
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def run_each(
    session: Session, *, rows: list[tuple[int, int]], work: Work, on_failure: OnFailure
) -> list[Any]:
    """Run ``work`` on each row in its own savepoint; collect the non-None results.

    A UserError or a vanished row is permanent: ``on_failure`` records it. Anything else is
    logged and the row is left as it was, to be tried again on the next pass.
    """
    results = []
    for row_id, tenant_id in rows:
        scope = TenantScope(session, tenant_id)
        try:
            with session.begin_nested():
                result = work(scope, row_id)
        except UserError as err:
            on_failure(scope, row_id, err.code)
            continue
        except NotFound as err:
            on_failure(scope, row_id, str(err))
            continue
        except sa.exc.OperationalError:
            raise  # the database is unreachable: the whole pass is retried later
        except Exception:
            log.exception("scheduling: row %s failed; it will be tried again", row_id)
            continue
        if result is not None:
            results.append(result)
    return results
