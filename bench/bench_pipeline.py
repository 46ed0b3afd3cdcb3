"""Pipeline board with 5,000 open deals: time to open a board (every column's count and total
plus its first page of cards), a column's next page, and a move; query plans of the two board
queries. Reports medians and p95 of server time; no pass/fail."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdb import create_database, drop_database, point_app_at

DEALS, CONTACTS, RUNS = 5_000, 1_000, 40


def _seed():  # type: ignore[no-untyped-def]
    from whatsapp_saas.accounts.models import User
    from whatsapp_saas.accounts.service import CurrentUser
    from whatsapp_saas.contacts.models import Contact
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.deals import pipelines
    from whatsapp_saas.deals.models import Deal
    from whatsapp_saas.inbox.models import Conversation
    from whatsapp_saas.models_base import utcnow
    from whatsapp_saas.tenancy.models import Tenant
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as s:
        tenant = Tenant(name="Bench")
        s.add(tenant)
        s.flush()
        tid = int(tenant.id or 0)
        users = [
            User(
                tenant_id=tid,
                email=f"u{i}@b.io",
                name=f"User {i}",
                password_hash="x",
                role="owner" if i == 0 else "agent",
            )
            for i in range(3)
        ]
        number = WhatsAppNumber(tenant_id=tid, name="main", phone="+5511900000000")
        s.add_all([*users, number])
        s.flush()
        contacts = [
            Contact(tenant_id=tid, name=f"Cliente {i}", phone=f"+55119{i:08d}")
            for i in range(CONTACTS)
        ]
        s.add_all(contacts)
        s.flush()
        s.add_all(
            Conversation(
                tenant_id=tid,
                number_id=int(number.id or 0),
                contact_id=int(c.id or 0),
                last_message_preview=f"Oi, sobre o pedido {i}",
            )
            for i, c in enumerate(contacts)
        )
        scope = TenantScope(s, tid)
        [pipeline] = pipelines.ensure_default_pipeline(scope, language="pt-BR")
        stages = pipelines.stages_of(scope, pipeline_id=int(pipeline.id or 0))
        start = utcnow() - timedelta(days=60)
        s.add_all(
            Deal(
                tenant_id=tid,
                pipeline_id=int(pipeline.id or 0),
                stage_id=int(stages[i % 3].id or 0),
                contact_id=int(contacts[i % CONTACTS].id or 0),
                title=f"Negócio {i}",
                value_cents=(i % 500) * 1000,
                owner_id=users[i % 3].id,
                stage_entered_at=start + timedelta(minutes=i),
            )
            for i in range(DEALS)
        )
        people = [
            CurrentUser(int(u.id or 0), tid, "Bench", u.name, u.email, u.role, "pt-BR", "UTC")
            for u in users
        ]
        return tid, int(pipeline.id or 0), [int(st.id or 0) for st in stages], people


def _statements(work: Callable[[], object]) -> int:
    """How many SQL statements ``work`` runs (stable where timings on this machine are not)."""
    from sqlalchemy import event

    from whatsapp_saas.db import get_engine

    seen: list[str] = []

    def count(*_args: object) -> None:
        seen.append("x")

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)
    return len(seen)


def _time(work: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> int:
    name, url = create_database("bench_pipeline")
    try:
        point_app_at(url)
        from whatsapp_saas.db import session_scope
        from whatsapp_saas.deals import board
        from whatsapp_saas.deals import service as deals
        from whatsapp_saas.tenancy.scope import TenantScope
        from whatsapp_saas.ui.pipeline import loaders

        tid, pipeline_id, stages, people = _seed()
        owner, agent = people[0], people[1]

        def open_board(user):  # type: ignore[no-untyped-def]
            with session_scope() as s:
                return loaders.open_board(s, user, str(pipeline_id), "pt-BR", {})

        columns = open_board(owner).columns
        for label, user in (("owner", owner), ("agent", agent)):
            statements = _statements(lambda u=user: open_board(u))
            print(f"SQL statements to open the board ({label}): {statements}")
        print(
            f"{DEALS} deals over {len(stages)} stages; columns: "
            + ", ".join(f"{c.name}={c.count} ({c.total})" for c in columns)
        )
        for label, user in (("owner", owner), ("agent", agent)):
            p50, p95 = _time(lambda u=user: open_board(u))
            print(f"open board ({label}): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        cursor = columns[0].cursor

        def next_page():  # type: ignore[no-untyped-def]
            with session_scope() as s:
                board.column_page(
                    TenantScope(s, tid), actor=owner, stage_id=stages[0], after=cursor
                )

        p50, p95 = _time(next_page)
        print(f"next page of a column: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        deal_ids = [int(c.id) for c in columns[0].cards]
        moves = iter(range(RUNS))

        def move():  # type: ignore[no-untyped-def]
            i = next(moves)
            with session_scope() as s:
                deals.move_deal(
                    TenantScope(s, tid),
                    actor=owner,
                    deal_id=deal_ids[i % len(deal_ids)],
                    stage_id=stages[1 + i % 2],
                )

        p50, p95 = _time(move)
        print(
            f"move a deal (one transaction, history row, event): p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        )
        _plans(tid, pipeline_id, stages[0])
    finally:
        drop_database(name)
    return 0


def _plans(tid: int, pipeline_id: int, stage_id: int) -> None:
    from sqlalchemy import text

    from whatsapp_saas.db import session_scope

    queries = {
        "column totals": "SELECT stage_id, count(*), coalesce(sum(value_cents), 0) FROM deals "
        f"WHERE tenant_id = {tid} AND pipeline_id = {pipeline_id} GROUP BY stage_id",
        "column page": f"SELECT * FROM deals WHERE tenant_id = {tid} AND stage_id = {stage_id} "
        "ORDER BY stage_entered_at DESC, id DESC LIMIT 21",
    }
    with session_scope() as s:
        s.execute(text("ANALYZE deals"))
        for label, sql in queries.items():
            plan = s.execute(text("EXPLAIN ANALYZE " + sql)).scalars().all()
            print(f"plan, {label}:\n  " + "\n  ".join(plan))


if __name__ == "__main__":
    sys.exit(main())
