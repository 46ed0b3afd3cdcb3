"""Automations: evaluation throughput, reply latency through the spine, and the spine's lag.

    python bench/bench_automations.py [--rules 200] [--messages 20000] [--db-messages 300]
        [--latency-messages 200] [--burst 2000] [--burst-rate 1000]

Figures, never pass/fail:
- pure evaluation: 200 compiled rules (keyword contains/equals/starts with/regex, and
  message-received rules with a business-hours condition) judged on each message, the text
  folded once per message (the aim: at least 5,000 messages/s on this machine);
- the whole handler on PostgreSQL: re-read the message, its conversation and contact, load and
  compile the tenant's 200 rules, compute the facts, fire the few that match (run rows and
  queued replies), one transaction per message;
- latency (p50, p99) from an inbound message's commit to its rule's reply being queued in the
  outbox, through the real spine runner woken by the commit (embedded wake path: the runner
  hears this process's bus), 200 rules, one new conversation per message at a steady pace;
  the reply's queue time is its row's ``created_at`` (set inside the runner's transaction,
  a few milliseconds before its commit);
- the spine's lag under a burst at ``--burst-rate`` messages/s (ingest in batches of 50): the
  time from the burst's last commit until the automations subscriber's cursor passes it, and
  the largest backlog (events stored but not yet passed by that cursor) seen during it.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["APP_ENV"] = "test"
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="bench_auto_")
os.environ.pop("REDIS_URL", None)

from benchdb import create_database, drop_database, point_app_at  # noqa: E402

from whatsapp_saas.automations.rules import Facts, compile_rule, firing, prepare  # noqa: E402

R = TypeVar("R")
WORDS = ("preco", "pedido", "entrega", "horario", "boleto", "pix", "troca", "garantia")
SAMPLES = (
    "Olá, qual o PREÇO do pão francês?",
    "Bom dia! Meu pedido 12345 ainda não chegou, podem verificar por favor?",
    "Vocês abrem no sábado?",
    "quero falar com um atendente",
    "Obrigado!",
)


def rule_specs(count: int) -> list[tuple[dict, list]]:
    specs: list[tuple[dict, list]] = []
    matches = ("contains", "equals", "starts_with", "regex")
    for i in range(count):
        word = f"{WORDS[i % len(WORDS)]}{i}"
        if i % 10 == 9:
            specs.append(
                ({"type": "message_received", "which": "any"}, [{"type": "outside_hours"}])
            )
        else:
            match = matches[i % 4]
            keyword = rf"{word}\s*\d+" if match == "regex" else word
            specs.append(({"type": "keyword", "match": match, "keyword": keyword}, []))
    specs[0] = ({"type": "keyword", "match": "contains", "keyword": "preco"}, [])
    return specs


def pure(rules: int, messages: int) -> float:
    send = [{"type": "send_message", "message": "oi"}]
    compiled = [
        compile_rule(i + 1, f"r{i}", trigger, conditions, send)
        for i, (trigger, conditions) in enumerate(rule_specs(rules))
    ]
    started = time.perf_counter()
    fired = 0
    for n in range(messages):
        facts = Facts(prepare(SAMPLES[n % len(SAMPLES)]), inside_hours=True)
        fired += len(firing(compiled, facts))
    elapsed = time.perf_counter() - started
    assert fired > 0
    return messages / elapsed


def on_postgres(rules: int, messages: int) -> tuple[float, int]:
    from sqlmodel import select

    from whatsapp_saas.accounts.models import Role, User
    from whatsapp_saas.accounts.service import CurrentUser
    from whatsapp_saas.automations import service
    from whatsapp_saas.automations.engine import RuleCache, handle_inbound
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.ingest import ingest_event
    from whatsapp_saas.tenancy.models import Tenant
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.whatsapp import gateway as gw
    from whatsapp_saas.whatsapp.events import InboundMessageArrived
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    os.environ["MEDIA_DIR"] = str(Path(os.environ["DATA_DIR"]) / "media")
    with session_scope() as session:
        tenant = Tenant(name="Bench")
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name="Main", phone="+5511900000000")
        owner = User(
            tenant_id=tenant.id, email="o@b.io", name="O", password_hash="x", role=Role.OWNER.value
        )
        session.add_all([number, owner])
        session.flush()
        assert number.id is not None and owner.id is not None
        actor = CurrentUser(owner.id, tenant.id, "Bench", "O", "o@b.io", "owner", "en", "UTC")
        scope = TenantScope(session, tenant.id)
        for i, (trigger, conditions) in enumerate(rule_specs(rules)):
            service.save_rule(
                scope,
                actor=actor,
                name=f"r{i}",
                trigger=trigger,
                conditions=conditions,
                actions=[{"type": "add_tag", "tag": f"t{i % 5}"}],
            )
        tenant_id, number_id = tenant.id, number.id
    # Ingest only (no graph is built yet, so no live handler hears the commits); the engine
    # is timed below.
    ids = []
    for n in range(messages):
        phone = f"55119{n:08d}"
        msg = gw.MessageReceived(
            session_id=str(number_id),
            message_id=f"B{n:012d}",
            chat=f"{phone}@s.whatsapp.net",
            sender_jid=f"{phone}@s.whatsapp.net",
            sender_lid=None,
            push_name="Cliente",
            timestamp=datetime.now(UTC),
            text=SAMPLES[n % len(SAMPLES)],
        )
        ids.append(
            ingest_event(InboundMessageArrived(tenant_id, number_id, msg))
            .outcome.stored[0]
            .message_id
        )
    cache = RuleCache()  # as registered on the bus
    started = time.perf_counter()
    fired = 0
    for message_id in ids:
        with session_scope() as session:
            outcome = handle_inbound(
                TenantScope(session, tenant_id), message_id=message_id, cache=cache
            )
            fired += len(outcome.fired)
    elapsed = time.perf_counter() - started
    with session_scope() as session:
        from whatsapp_saas.automations.models import AutomationRun

        assert len(session.exec(select(AutomationRun)).all()) == fired
    return messages / elapsed, fired


def _tenant_with_rules(name: str, rules: int, reply: bool) -> tuple[int, int]:
    """A tenant, its number and ``rules`` rules; the "preco" rule replies when ``reply``."""
    from whatsapp_saas.accounts.models import Role, User
    from whatsapp_saas.accounts.service import CurrentUser
    from whatsapp_saas.automations import service
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.models import Tenant
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as session:
        tenant = Tenant(name=name)
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name="Main", phone="+5511900000000")
        email = f"o@{name.lower()}.io"
        owner = User(
            tenant_id=tenant.id, email=email, name="O", password_hash="x", role=Role.OWNER.value
        )
        session.add_all([number, owner])
        session.flush()
        assert number.id is not None and owner.id is not None
        actor = CurrentUser(owner.id, tenant.id, name, "O", email, "owner", "en", "UTC")
        scope = TenantScope(session, tenant.id)
        for i, (trigger, conditions) in enumerate(rule_specs(rules)):
            action = {"type": "add_tag", "tag": f"t{i % 5}"}
            if i == 0 and reply:
                action = {"type": "send_message", "message": "Tabela: R$ 10"}
            service.save_rule(
                scope,
                actor=actor,
                name=f"r{i}",
                trigger=trigger,
                conditions=conditions,
                actions=[action],
            )
        return tenant.id, number.id


def _inbound(tenant_id: int, number_id: int, n: int, text: str, prefix: str):  # type: ignore[no-untyped-def]
    from whatsapp_saas.whatsapp import gateway as gw
    from whatsapp_saas.whatsapp.events import InboundMessageArrived

    phone = f"55{prefix}{n:08d}"
    msg = gw.MessageReceived(
        session_id=str(number_id),
        message_id=f"{prefix}{n:012d}",
        chat=f"{phone}@s.whatsapp.net",
        sender_jid=f"{phone}@s.whatsapp.net",
        sender_lid=None,
        push_name="Cliente",
        timestamp=datetime.now(UTC),
        text=text,
    )
    return InboundMessageArrived(tenant_id, number_id, msg)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _with_spine(work: Callable[[], Awaitable[R]]) -> R:
    """Run ``work()`` beside the real spine runner with the app's durable subscribers."""
    from whatsapp_saas.bootstrap import bootstrap, durable_subscribers, event_registry
    from whatsapp_saas.events.spine import SpineOptions, start_spine_runner

    bus = bootstrap().bus
    bus.bind_loop(asyncio.get_running_loop())  # commits announce from threads: wake-ups
    spine = await start_spine_runner(
        bus=bus,
        subscribers=durable_subscribers(),
        registry=event_registry(),
        options=SpineOptions(poll_interval=2.0),
    )
    try:
        return await work()
    finally:
        await spine.stop()


async def latency(rules: int, messages: int, pace: float = 0.05) -> list[float]:
    """Seconds from each inbound commit to its reply's row, through the spine (wake path)."""
    import sqlalchemy as sa

    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.ingest import ingest_event

    tenant_id, number_id = _tenant_with_rules("Latency", rules, reply=True)
    committed: dict[int, float] = {}  # conversation id -> commit time (epoch seconds)

    async def work() -> list[float]:
        for n in range(messages):
            event = _inbound(tenant_id, number_id, n, "Qual o PREÇO?", "21")
            result = await asyncio.to_thread(ingest_event, event)
            stored = result.outcome.stored[0]
            committed[stored.message_id] = time.time()
            await asyncio.sleep(pace)
        deadline = time.monotonic() + 60
        query = sa.text(
            "SELECT i.id, r.created_at FROM messages r JOIN messages i"
            " ON i.conversation_id = r.conversation_id AND i.direction = 'in'"
            " WHERE r.sent_by = 'automation' AND r.tenant_id = :t"
        )
        while True:
            with session_scope() as session:
                rows = session.execute(query, {"t": tenant_id}).all()
            if len(rows) >= messages or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        return [r.created_at.timestamp() - committed[r.id] for r in rows if r.id in committed]

    return await _with_spine(work)


async def burst(rules: int, count: int, rate: float, batch: int = 50) -> dict[str, float]:
    """The automations subscriber's lag behind a burst of ``count`` messages at ``rate``/s."""
    from whatsapp_saas.automations.handlers import NAME
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.events import queries as q
    from whatsapp_saas.inbox.ingest import ingest_batch

    tenant_id, number_id = _tenant_with_rules("Burst", rules, reply=False)
    events = [
        _inbound(tenant_id, number_id, n, SAMPLES[n % len(SAMPLES)], "31") for n in range(count)
    ]

    def positions() -> tuple[int, int]:
        with session_scope() as session:
            return q.head_of(session, tenant_id=tenant_id), q.cursor_of(
                session, name=NAME, tenant_id=tenant_id
            )

    async def work() -> dict[str, float]:
        max_backlog, done = 0, asyncio.Event()

        async def watch() -> None:
            nonlocal max_backlog
            while not done.is_set():
                head, cursor = await asyncio.to_thread(positions)
                max_backlog = max(max_backlog, head - cursor)
                await asyncio.sleep(0.02)

        watcher = asyncio.create_task(watch())
        started = time.perf_counter()
        for i in range(0, count, batch):
            due = started + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await asyncio.to_thread(ingest_batch, events[i : i + batch])
        last_commit = time.perf_counter()
        head, _ = await asyncio.to_thread(positions)
        while True:
            _, cursor = await asyncio.to_thread(positions)
            if cursor >= head:
                break
            await asyncio.sleep(0.01)
        caught_up = time.perf_counter()
        done.set()
        await watcher
        return {
            "ingest_rate": count / (last_commit - started),
            "lag": caught_up - last_commit,
            "max_backlog": float(max_backlog),
        }

    return await _with_spine(work)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--db-messages", type=int, default=300)
    parser.add_argument("--latency-messages", type=int, default=200)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--burst-rate", type=float, default=1000.0)
    # Steady load for the latency figure: keep it under the handler's own throughput (the
    # "whole handler" line), or the figure measures the queue, not the wake path.
    parser.add_argument("--latency-pace", type=float, default=0.25, help="seconds between")
    parser.add_argument("--sections", default="eval,latency,burst")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if "eval" in sections:
        rate = pure(args.rules, args.messages)
        print(f"pure evaluation, {args.rules} rules: {rate:,.0f} messages/s (aim >= 5,000)")
    name, url = create_database("bench_auto")
    try:
        point_app_at(url)
        if "eval" in sections:
            db_rate, fired = on_postgres(args.rules, args.db_messages)
            print(
                f"whole handler on PostgreSQL, {args.rules} rules: {db_rate:,.0f} messages/s "
                f"({fired} firings over {args.db_messages} messages, one transaction each)"
            )
        if "latency" in sections:
            waits = asyncio.run(latency(args.rules, args.latency_messages, args.latency_pace))
            print(
                f"inbound commit -> reply queued, through the spine (wake), {args.rules} rules:"
                f" p50 {_percentile(waits, 50) * 1000:,.0f} ms,"
                f" p99 {_percentile(waits, 99) * 1000:,.0f} ms, max {max(waits) * 1000:,.0f} ms"
                f" ({len(waits)}/{args.latency_messages} replies, one message every"
                f" {args.latency_pace * 1000:,.0f} ms; aim p99 <= 1 s)"
            )
        if "burst" in sections:
            lag = asyncio.run(burst(args.rules, args.burst, args.burst_rate))
            print(
                f"spine under a {args.burst:,}-message burst at {args.burst_rate:,.0f} msg/s"
                f" (achieved {lag['ingest_rate']:,.0f} msg/s): the automations cursor passed the"
                f" last commit {lag['lag'] * 1000:,.0f} ms after it; max backlog"
                f" {lag['max_backlog']:,.0f} events (about 3 per message)"
            )
    finally:
        drop_database(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
