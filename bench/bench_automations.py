"""Automation rule evaluation: how many messages a second the engine judges, 200 rules each.

    python bench/bench_automations.py [--rules 200] [--messages 20000] [--db-messages 300]

Two figures:
- pure evaluation: 200 compiled rules (keyword contains/equals/starts with/regex, and
  message-received rules with a business-hours condition) judged on each message, the text
  folded once per message (the aim: at least 5,000 messages/s on this machine);
- the whole handler on PostgreSQL: re-read the message, its conversation and contact, load and
  compile the tenant's 200 rules, compute the facts, fire the few that match (run rows and
  queued replies), one transaction per message.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

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
    from whatsapp_saas.events.bus import bus
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
                actor,
                name=f"r{i}",
                trigger=trigger,
                conditions=conditions,
                actions=[{"type": "add_tag", "tag": f"t{i % 5}"}],
            )
        tenant_id, number_id = tenant.id, number.id
    bus.clear()  # ingest only; the engine is timed below
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
            outcome = handle_inbound(TenantScope(session, tenant_id), message_id, cache=cache)
            fired += len(outcome.fired)
    elapsed = time.perf_counter() - started
    with session_scope() as session:
        from whatsapp_saas.automations.models import AutomationRun

        assert len(session.exec(select(AutomationRun)).all()) == fired
    return messages / elapsed, fired


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--db-messages", type=int, default=300)
    args = parser.parse_args()
    rate = pure(args.rules, args.messages)
    print(f"pure evaluation, {args.rules} rules: {rate:,.0f} messages/s (aim >= 5,000)")
    name, url = create_database("bench_auto")
    try:
        point_app_at(url)
        db_rate, fired = on_postgres(args.rules, args.db_messages)
        print(
            f"whole handler on PostgreSQL, {args.rules} rules: {db_rate:,.0f} messages/s "
            f"({fired} firings over {args.db_messages} messages, one transaction each)"
        )
    finally:
        drop_database(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
