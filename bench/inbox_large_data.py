"""Part (b) of bench_inbox.py: 100k conversations, 1M messages, page and search timings.

Data is made inside PostgreSQL (INSERT ... SELECT generate_series), with the secondary
indexes dropped during the load and rebuilt after, as one would for a bulk import. Timings
call the real service functions (what the Inbox page calls), so they include SQLAlchemy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text

WORDS = [
    "oi",
    "ola",
    "bom",
    "dia",
    "tarde",
    "noite",
    "obrigado",
    "obrigada",
    "pedido",
    "entrega",
    "prazo",
    "valor",
    "preco",
    "produto",
    "cliente",
    "atendimento",
    "duvida",
    "troca",
    "devolucao",
    "frete",
    "cartao",
    "endereco",
    "numero",
    "hoje",
    "amanha",
    "semana",
    "loja",
    "horario",
    "aberto",
    "fechado",
    "quando",
    "como",
    "onde",
    "quanto",
    "pagamento",
    "nota",
    "fiscal",
]
DROP_DURING_LOAD = (
    "ix_messages_search",
    "ix_messages_tenant_id",
    "ix_messages_conversation_id_id",
    "ix_messages_unsent",
)


def run_sql(sql: str, *, settings: tuple[str, ...] = (), **params: Any) -> Any:
    """One statement in its own transaction, after ``SET LOCAL`` settings."""
    from whatsapp_saas.db import get_engine

    with get_engine().begin() as conn:
        for setting in settings:
            conn.execute(text(f"SET LOCAL {setting}"))
        return conn.execute(text(sql), params)


def setup_people() -> dict[str, Any]:
    from whatsapp_saas.accounts.models import Role, User
    from whatsapp_saas.accounts.service import CurrentUser
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.models import Department, DepartmentMember
    from whatsapp_saas.tenancy.models import Tenant
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as session:
        tenant = session.query(Tenant).first()
        number = session.query(WhatsAppNumber).first()
        assert tenant and number and tenant.id and number.id
        owner = User(
            tenant_id=tenant.id,
            email="owner@bench.io",
            name="Owner",
            password_hash="x",
            role=Role.OWNER.value,
        )
        agent = User(
            tenant_id=tenant.id,
            email="agent@bench.io",
            name="Agent",
            password_hash="x",
            role=Role.AGENT.value,
        )
        dept = Department(tenant_id=tenant.id, name="Sales")
        session.add_all([owner, agent, dept])
        session.flush()
        assert owner.id and agent.id and dept.id
        session.add(DepartmentMember(tenant_id=tenant.id, department_id=dept.id, user_id=agent.id))

        def user(u: User) -> CurrentUser:
            return CurrentUser(u.id, tenant.id, "Bench", u.name, u.email, u.role, "en", "UTC")  # type: ignore[arg-type]

        return {
            "tenant": tenant.id,
            "number": number.id,
            "owner": user(owner),
            "agent": user(agent),
            "dept": dept.id,
        }


def generate(people: dict[str, Any], conversations: int, messages: int) -> None:
    t, n = people["tenant"], people["number"]
    run_sql(
        "TRUNCATE messages, conversations, contact_identities, contacts RESTART IDENTITY CASCADE"
    )
    started = time.perf_counter()
    run_sql(
        "INSERT INTO contacts (tenant_id, push_name, phone, tags, created_at, updated_at) "
        "SELECT :t, 'Customer ' || g, '+55119' || lpad(g::text, 8, '0'), '[]', now(), now() "
        "FROM generate_series(1, :c) g",
        t=t,
        c=conversations,
    )
    run_sql(
        "INSERT INTO contact_identities (tenant_id, contact_id, kind, value, created_at) "
        "SELECT tenant_id, id, 'phone', phone, now() FROM contacts"
    )
    run_sql(
        "INSERT INTO conversations (tenant_id, number_id, contact_id, status, assignee_id,"
        " department_id, unread_count, last_message_preview, last_message_at, last_inbound_at,"
        " created_at) "
        "SELECT :t, :n, id, (ARRAY['open','pending','resolved'])[1 + id % 3],"
        " CASE WHEN id % 7 = 0 THEN :agent END, CASE WHEN id % 5 = 0 THEN :dept END, id % 4,"
        " 'last message of ' || id, x.at, x.at, now() "
        "FROM contacts, LATERAL (SELECT now() - random() * interval '90 days' + id * interval '0'"
        " AS at) x",
        t=t,
        n=n,
        agent=people["agent"].user_id,
        dept=people["dept"],
    )
    print(f"  contacts + conversations: {time.perf_counter() - started:.1f} s")
    defs = drop_indexes()
    started = time.perf_counter()
    words = "ARRAY[" + ",".join(f"'{w}'" for w in WORDS) + "]"
    pick = f"({words})[1 + floor(random() * {len(WORDS)})::int]"
    body = " || ' ' || ".join([pick] * 6)
    run_sql(
        "INSERT INTO messages (tenant_id, conversation_id, number_id, wa_message_id, direction,"
        " type, body, reactions, media_attempts, status, delivered_at, wa_timestamp,"
        " is_internal_note, created_at) "
        f"SELECT :t, 1 + g % :c, :n, 'L' || g, CASE WHEN g % 2 = 0 THEN 'in' ELSE 'out' END,"
        f" 'text', {body} || CASE WHEN random() < 0.001 THEN ' boleto'"
        "  WHEN random() < 0.02 THEN ' pix' ELSE '' END,"
        " '{}', 0, CASE WHEN g % 2 = 0 THEN 'delivered' ELSE 'read' END, now(), now(), false,"
        " now() FROM generate_series(1, :m) g",
        t=t,
        c=conversations,
        n=n,
        m=messages,
    )
    print(f"  {messages:,} messages inserted: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    for definition in defs:
        run_sql(definition, settings=("maintenance_work_mem = '512MB'",))
    print(f"  indexes rebuilt: {time.perf_counter() - started:.1f} s")
    from whatsapp_saas.db import get_engine

    with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("contacts", "contact_identities", "conversations", "messages"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def drop_indexes() -> list[str]:
    rows = run_sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'messages'").all()
    kept = [(name, definition) for name, definition in rows if name in DROP_DURING_LOAD]
    for name, _ in kept:
        run_sql(f"DROP INDEX {name}")
    return [definition for _, definition in kept]


class Capture:
    """The SELECT statements the app sent, to EXPLAIN them with the same parameters."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.statements.append((statement, params))


def timed(call: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    call()  # warm caches and the connection pool
    samples = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], result


def explain(statement: str, params: Any) -> str:
    from whatsapp_saas.db import get_engine

    raw = get_engine().raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, params)
        return "\n".join("      " + row[0] for row in cursor.fetchall())
    finally:
        raw.close()


def bench_large_data(url: str, args: argparse.Namespace) -> None:
    from whatsapp_saas.db import get_engine, session_scope
    from whatsapp_saas.inbox import service
    from whatsapp_saas.tenancy.scope import TenantScope

    print(
        f"\n(b) Large data: {args.conversations:,} conversations, {args.large_messages:,} messages"
    )
    people = setup_people()
    generate(people, args.conversations, args.large_messages)
    owner, agent = people["owner"], people["agent"]
    with session_scope() as session:
        scope = TenantScope(session, people["tenant"])
        first = service.list_conversations(scope, actor=owner, limit=30)
        cursor, busy_id = first.next_cursor, first.items[0].conversation.id
        assert busy_id is not None
    cases: list[tuple[str, Callable[[TenantScope], Any], float | None]] = [
        (
            "first conversation page (admin)",
            lambda s: service.list_conversations(s, actor=owner),
            50,
        ),
        (
            "first conversation page (agent)",
            lambda s: service.list_conversations(s, actor=agent),
            50,
        ),
        (
            "second page (cursor)",
            lambda s: service.list_conversations(s, actor=owner, cursor=cursor),
            50,
        ),
        (
            "page: status=open, mine",
            lambda s: service.list_conversations(s, actor=agent, status="open", filter="mine"),
            50,
        ),
        (
            "messages of a conversation",
            lambda s: service.get_messages(s, actor=owner, conversation_id=busy_id),
            50,
        ),
        (
            "search 'boleto' (0.1%)",
            lambda s: service.search_messages(s, actor=owner, text="boleto"),
            150,
        ),
        ("search 'pix' (2%)", lambda s: service.search_messages(s, actor=owner, text="pix"), 150),
        (
            "search 'entrega prazo'",
            lambda s: service.search_messages(s, actor=owner, text="entrega prazo"),
            150,
        ),
        (
            "search 'boleto' (agent)",
            lambda s: service.search_messages(s, actor=agent, text="boleto"),
            150,
        ),
        (
            "list filtered by search 'boleto'",
            lambda s: service.list_conversations(s, actor=owner, search="boleto"),
            150,
        ),
    ]
    capture = Capture()
    event.listen(get_engine(), "before_cursor_execute", capture)
    plans: list[tuple[str, str]] = []
    print(f"\n  {'query':<36}{'median':>10}{'p95':>10}{'target':>10}  rows")
    for label, call, target in cases:
        with session_scope() as session:
            scope = TenantScope(session, people["tenant"])
            median, p95, result = timed(lambda: call(scope), args.runs)  # noqa: B023
            capture.statements.clear()
            call(scope)  # once more, recording every query it sends
            for i, (statement, params) in enumerate(capture.statements, 1):
                step = (
                    f" (query {i} of {len(capture.statements)})"
                    if len(capture.statements) > 1
                    else ""
                )
                plans.append((label + step, explain(statement, params)))
        rows = len(getattr(result, "items", None) or getattr(result, "messages", None) or result)
        ok = "" if target is None else ("ok" if median < target else "SLOW")
        print(f"  {label:<36}{median:>8.1f}ms{p95:>8.1f}ms{target or 0:>8.0f}ms  {rows} {ok}")
    event.remove(get_engine(), "before_cursor_execute", capture)
    print("\n  Query plans (EXPLAIN ANALYZE of the exact SQL the service sent):")
    for label, plan in plans:
        print(f"\n    -- {label}\n{plan}")
