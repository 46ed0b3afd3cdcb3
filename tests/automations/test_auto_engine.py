"""The engine on real messages: keyword replies, idempotency, loop protection, the owner."""

from __future__ import annotations

from datetime import timedelta

from auto_helpers import World, add_rule, automated, conversation, inbound, runs

from whatsapp_saas.automations.engine import handle_inbound
from whatsapp_saas.automations.handlers import handle_message_stored
from whatsapp_saas.automations.owner import Owner, current_owner, owner_of
from whatsapp_saas.automations.settings import save_settings
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.events import MessageStored
from whatsapp_saas.inbox.replies import enqueue_text_reply
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope


def test_a_keyword_rule_replies_once_accents_ignored(world: World) -> None:
    add_rule(world)
    inbound(world, "Qual o PREÇO?")
    (reply,) = automated(world)
    assert reply.body == "Olá Maria!" and reply.automation_rule == "Price"
    assert reply.status == "queued"
    (run,) = runs(world)
    assert run.status == "fired" and run.results[0]["ok"]


def test_the_same_event_twice_fires_nothing_the_second_time(world: World) -> None:
    add_rule(world)
    message_id = inbound(world, "preco")
    c = conversation(world)
    event = MessageStored(
        world.tenant_id, message_id, c.id or 0, world.number_id, c.contact_id, "in", "text", None
    )
    handle_message_stored(event)
    handle_message_stored(event)
    assert len(automated(world)) == 1


def test_no_match_no_reply(world: World) -> None:
    add_rule(world)
    inbound(world, "bom dia")
    assert automated(world) == [] and runs(world) == []


def test_add_tag_and_stop_after_first_match(world: World) -> None:
    add_rule(world, name="Tag", stop_after=True, actions=[{"type": "add_tag", "tag": "lead"}])
    add_rule(world, name="Later")
    inbound(world, "preço")
    assert automated(world) == []
    with session_scope() as session:
        contact = TenantScope(session, world.tenant_id).first(Contact)
        assert contact is not None and contact.tags == ["lead"]


def test_automated_and_from_me_messages_never_fire(world: World) -> None:
    add_rule(world, trigger={"type": "message_received", "which": "any"})
    inbound(world, "oi")
    assert len(automated(world)) == 1  # the reply itself does not trigger another
    inbound(world, "preço from the phone", from_me=True)
    assert len(automated(world)) == 1


def test_hourly_cap_stops_and_logs_once(world: World) -> None:
    add_rule(world, trigger={"type": "message_received", "which": "any"})
    with session_scope() as session:
        save_settings(TenantScope(session, world.tenant_id), hourly_cap=2)
    for text in ("a", "b", "c", "d"):
        inbound(world, text)
    assert len(automated(world)) == 2
    assert [r.status for r in runs(world)].count("capped") == 1


def test_first_from_new_contact_only_once(world: World) -> None:
    add_rule(world, trigger={"type": "message_received", "which": "new_contact"})
    inbound(world, "oi")
    inbound(world, "oi de novo")
    assert len(automated(world)) == 1


def test_an_agent_reply_pauses_the_flow_until_resolved(world: World) -> None:
    add_rule(world, trigger={"type": "message_received", "which": "any"})
    inbound(world, "oi")
    c = conversation(world)
    with session_scope() as session:
        enqueue_text_reply(
            TenantScope(session, world.tenant_id),
            actor=world.owner,
            conversation_id=c.id or 0,
            text="Eu!",
        )
    with session_scope() as session:
        assert current_owner(session, conversation_id=c.id or 0) is Owner.HUMAN
    inbound(world, "e agora?")
    assert len(automated(world)) == 1
    assert runs(world)[-1].status == "paused"
    row = conversation(world)
    row.resolved_at = utcnow() + timedelta(seconds=1)
    assert owner_of(row, 60, utcnow(), last_human_at=utcnow()) is Owner.FLOW
    assert owner_of(conversation(world), 60, utcnow(), last_human_at=utcnow()) is Owner.HUMAN


def test_a_from_me_message_from_the_phone_pauses_the_flow(world: World) -> None:
    add_rule(world, trigger={"type": "message_received", "which": "any"})
    inbound(world, "oi")
    inbound(world, "respondo pelo celular", from_me=True)
    c = conversation(world)
    with session_scope() as session:
        assert current_owner(session, conversation_id=c.id or 0) is Owner.HUMAN
    inbound(world, "ok")
    assert len(automated(world)) == 1
    with session_scope() as session:
        outcome = handle_inbound(
            TenantScope(session, world.tenant_id),
            message_id=inbound(world, "depois"),
            now=utcnow() + timedelta(minutes=61),
        )
    assert outcome.fired, "the pause lapsed"


def test_a_failing_action_is_logged_and_the_others_still_run(world: World) -> None:
    add_rule(
        world,
        actions=[
            {"type": "assign_department", "department_id": "999"},
            {"type": "add_tag", "tag": "vip"},
        ],
    )
    inbound(world, "preco")
    (run,) = runs(world)
    assert run.status == "error" and not run.results[0]["ok"] and run.results[1]["ok"]


def test_sqlite_too(sqlite_world: World) -> None:
    add_rule(sqlite_world)
    inbound(sqlite_world, "preço")
    assert len(automated(sqlite_world)) == 1
