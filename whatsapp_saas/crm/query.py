"""The one query behind the contact list, bulk actions, exports and segments."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlmodel import col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.filters import ContactFilter, conditions
from whatsapp_saas.crm.models import Segment
from whatsapp_saas.crm.visibility import contacts_visible_to
from whatsapp_saas.tenancy.scope import NotFound, TenantScope

ESTIMATE_ABOVE = 2_000  # above this many expected matches, a page shows an estimate
COUNT_BUDGET_MS = 20  # an exact count that takes longer gives way to the estimate
T = TypeVar("T")


def segment_for(scope: TenantScope, *, actor: CurrentUser, segment_id: int) -> Segment:
    """A segment the viewer may use: shared ones, and their own personal ones."""
    segment = scope.get(Segment, segment_id)
    if not segment.shared and segment.owner_user_id != actor.user_id:
        raise NotFound(Segment, segment_id)
    return segment


def where_clauses(
    scope: TenantScope, *, actor: CurrentUser, flt: ContactFilter
) -> list[sa.ColumnElement[bool]]:
    """Tenant, visibility, the filter, and the segment's own filters (all ANDed)."""
    where = [
        col(Contact.tenant_id) == scope.tenant_id,
        col(Contact.merged_into_id).is_(None),  # a merged contact lives on in its survivor
        contacts_visible_to(scope, actor=actor),
        *conditions(scope.session, tenant_id=scope.tenant_id, actor=actor, flt=flt),
    ]
    if flt.segment_id is not None:
        stored = ContactFilter.from_dict(
            segment_for(scope, actor=actor, segment_id=flt.segment_id).filters
        )
        stored.segment_id = None  # a segment never nests another
        where += conditions(scope.session, tenant_id=scope.tenant_id, actor=actor, flt=stored)
    return where


def matching_ids(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    flt: ContactFilter,
    after_id: int = 0,
    limit: int | None = None,
) -> list[int]:
    """Ids of the matching contacts in id order (keyset over ``after_id``)."""
    query: Any = (
        select(Contact.id)
        .where(*where_clauses(scope, actor=actor, flt=flt))
        .where(col(Contact.id) > after_id)
        .order_by(col(Contact.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return [int(r) for r in scope.session.exec(query).all()]


def count_matching(
    scope: TenantScope, *, actor: CurrentUser, flt: ContactFilter, cap: int | None = None
) -> int:
    inner: Any = select(Contact.id).where(*where_clauses(scope, actor=actor, flt=flt))
    if cap is not None:
        inner = inner.limit(cap)
    query = sa.select(sa.func.count()).select_from(inner.subquery())
    return int(scope.session.execute(query).scalar_one())


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON) <query>``, with the query's parameters bound as usual."""

    inherit_cache = False  # a cached EXPLAIN trips the result-metadata adaptation

    def __init__(self, query: Any) -> None:
        self.query = query


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + str(compiler.process(element.query, **kw))


def estimate_matching(scope: TenantScope, *, actor: CurrentUser, flt: ContactFilter) -> int:
    """PostgreSQL's planner estimate of how many contacts match (a millisecond, not a scan)."""
    inner = sa.select(col(Contact.id)).where(*where_clauses(scope, actor=actor, flt=flt))
    plan = scope.session.connection().execute(_Explain(inner)).scalar_one()
    document = json.loads(plan) if isinstance(plan, str) else plan
    return int(document[0]["Plan"]["Plan Rows"])


def count_or_estimate(
    scope: TenantScope, *, actor: CurrentUser, flt: ContactFilter, cap: int
) -> tuple[int, bool]:
    """(total, estimated). Counting a large filter exactly means reading every match, which
    at a million contacts costs far more than the page itself, so on PostgreSQL a filter the
    planner expects to match more than ESTIMATE_ABOVE contacts gets the estimate, rounded to
    two significant digits, and the list says "≈"; a smaller one is counted exactly (up to
    ``cap``, in case the estimate was wrong). SQLite (embedded, small) always counts."""
    if scope.session.get_bind().dialect.name != "postgresql":
        return count_matching(scope, actor=actor, flt=flt, cap=cap), False
    guess = estimate_matching(scope, actor=actor, flt=flt)
    if guess > ESTIMATE_ABOVE:
        return _two_digits(guess), True
    counted = _count_within_budget(scope, actor, flt, cap)
    return (counted, False) if counted is not None else (_two_digits(guess), True)


def _count_within_budget(
    scope: TenantScope, actor: CurrentUser, flt: ContactFilter, cap: int
) -> int | None:
    """The capped count, or None if it ran past COUNT_BUDGET_MS: the planner can badly
    underestimate a filter, and then the exact count would read every match."""
    return within_budget(scope, work=lambda: count_matching(scope, actor=actor, flt=flt, cap=cap))


def within_budget(
    scope: TenantScope, *, work: Callable[[], T], ms: int = COUNT_BUDGET_MS
) -> T | None:
    """``work()``, or None if its statements ran past ``ms``. The timeout lives in a
    savepoint, so nothing else is cut short and the transaction goes on after a timeout."""
    connection = scope.session.connection()
    connection.exec_driver_sql(f"SAVEPOINT crm_budget; SET LOCAL statement_timeout = {int(ms)}")
    try:
        done = work()
    except sa.exc.OperationalError:
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT crm_budget; RELEASE SAVEPOINT crm_budget")
        return None
    connection.exec_driver_sql(
        "RELEASE SAVEPOINT crm_budget; SET LOCAL statement_timeout = DEFAULT"
    )
    return done


def rounded_estimate(value: int) -> int:
    return _two_digits(value)


def _two_digits(value: int) -> int:
    step = 10 ** max(len(str(value)) - 2, 0)
    return int(round(value / step) * step)
