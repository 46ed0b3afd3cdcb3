"""Managing rules: managers only, tenant-scoped; dry run, duplicate, order, run log, and the
out-of-hours reply once per closed period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from auto_helpers import World, add_rule, automated, conversation, inbound, make_world, runs

from whatsapp_saas.automations import service
from whatsapp_saas.automations.effects import Target, send_message
from whatsapp_saas.automations.engine import handle_inbound
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.automations.settings import save_settings
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.optout import record_opt_out
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def test_agents_cannot_edit_or_read_rules(world: World) -> None:
    rule_id = add_rule(world)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        with pytest.raises(PermissionDenied):
            service.save_rule(
                scope,
                actor=world.agent,
                name="x",
                trigger={"type": "message_received"},
                conditions=[],
                actions=[{"type": "resolve"}],
            )
        with pytest.raises(PermissionDenied):
            service.set_enabled(scope, actor=world.agent, rule_id=rule_id, enabled=False)
        with pytest.raises(PermissionDenied):
            service.dry_run(scope, actor=world.agent, text="preco")
        with pytest.raises(PermissionDenied):
            service.run_log(scope, actor=world.agent)


def test_a_foreign_tenants_rule_is_not_found(world: World) -> None:
    rule_id = add_rule(world)
    other = make_world("Beta")
    with session_scope() as session:
        scope = TenantScope(session, other.tenant_id)
        for call in (
            lambda: service.set_enabled(scope, actor=other.owner, rule_id=rule_id, enabled=False),
            lambda: service.duplicate_rule(scope, actor=other.owner, rule_id=rule_id),
            lambda: service.delete_rule(scope, actor=other.owner, rule_id=rule_id),
            lambda: service.run_log(scope, actor=other.owner, rule_id=rule_id),
            lambda: service.save_rule(
                scope,
                actor=other.owner,
                rule_id=rule_id,
                name="stolen",
                trigger={"type": "message_received"},
                conditions=[],
                actions=[{"type": "resolve"}],
            ),
        ):
            with pytest.raises(NotFound):
                call()
    with session_scope() as session:
        rule = session.get(AutomationRule, rule_id)
        assert rule is not None and rule.enabled and rule.name == "Price"


def test_dry_run_says_what_would_happen_and_sends_nothing(world: World) -> None:
    add_rule(world)
    add_rule(world, name="Hello", trigger={"type": "keyword", "match": "equals", "keyword": "oi"})
    inbound(world, "oi")
    c = conversation(world)
    with session_scope() as session:
        lines = service.dry_run(
            TenantScope(session, world.tenant_id),
            actor=world.owner,
            text="preço?",
            conversation_id=c.id,
        )
    before = len(automated(world))
    assert [(line.verdict.name, line.verdict.fired) for line in lines] == [
        ("Price", True),
        ("Hello", False),
    ]
    assert lines[0].previews == ("Olá Maria!",)
    assert lines[1].verdict.reason == "auto.why_keyword"
    assert len(automated(world)) == before


def test_duplicate_is_disabled_and_move_reorders(world: World) -> None:
    first = add_rule(world, name="A")
    add_rule(world, name="B")
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        copy = service.duplicate_rule(scope, actor=world.owner, rule_id=first)
        assert not copy.enabled and copy.name == "A (2)"
        service.move_rule(scope, actor=world.owner, rule_id=first, step=1)
        names = [r.name for r in service.list_rules(scope, actor=world.owner)]
    assert names == ["A (2)", "A", "B"]


def test_out_of_hours_reply_once_per_closed_period(world: World) -> None:
    # The engine runs here at chosen times only, not at ingest's real "now" (run=False).
    with session_scope() as session:
        save_settings(
            TenantScope(session, world.tenant_id),
            timezone="America/Sao_Paulo",
            weekly_hours={str(d): ["09:00", "18:00"] for d in range(5)},
            out_of_hours_enabled=True,
            out_of_hours_message="Estamos fechados, {{contact.first_name}}.",
        )
    saturday = datetime(2030, 6, 1, 15, 0, tzinfo=UTC)
    ids = [inbound(world, text, run=False) for text in ("a", "b")]
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        handle_inbound(scope, message_id=ids[0], now=saturday)
        handle_inbound(scope, message_id=ids[1], now=saturday + timedelta(hours=3))
    with session_scope() as session:
        monday_night = datetime(2030, 6, 3, 23, 0, tzinfo=UTC)  # 20:00 local: a new period
        handle_inbound(
            TenantScope(session, world.tenant_id),
            message_id=inbound(world, "c", run=False),
            now=monday_night,
        )
    replies = [m.body for m in automated(world)]
    assert replies.count("Estamos fechados, Maria.") == 2
    assert {r.rule_name for r in runs(world)} == {"out_of_hours"}


def test_opt_outs_block_what_is_not_a_direct_reply(world: World) -> None:
    inbound(world, "oi")
    c = conversation(world)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        contact = scope.get(Contact, c.contact_id)
        record_opt_out(scope, contact_id=c.contact_id, source="manual")
        session.flush()
        conv = scope.get(type(c), c.id)
        indirect = Target(conv, contact, "Nudge", {}, direct_reply=False)
        direct = Target(conv, contact, "Reply", {}, direct_reply=True)
        assert send_message(scope, indirect, {"message": "volte"}) == "opted_out"
        assert send_message(scope, direct, {"message": "sua resposta"}).startswith("queued")


def test_out_of_hours_reply_skipped_right_after_an_agent_replied(world: World) -> None:
    with session_scope() as session:
        save_settings(
            TenantScope(session, world.tenant_id),
            weekly_hours={"0": ["09:00", "10:00"]},
            out_of_hours_enabled=True,
            out_of_hours_message="Fechados.",
            agent_grace_minutes=5,
        )
    message_id = inbound(world, "oi", run=False)
    c = conversation(world)
    from whatsapp_saas.inbox.replies import enqueue_text_reply

    with session_scope() as session:
        enqueue_text_reply(
            TenantScope(session, world.tenant_id),
            actor=world.owner,
            conversation_id=c.id or 0,
            text="Já vou",
        )
    with session_scope() as session:
        c_row = TenantScope(session, world.tenant_id).get(type(c), c.id)
        c_row.resolved_at = utcnow()  # the takeover lapsed: only the grace rule is under test
        outcome = handle_inbound(TenantScope(session, world.tenant_id), message_id=message_id)
    assert outcome.skipped is None and automated(world) == []
