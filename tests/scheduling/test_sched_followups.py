"""Follow-ups: steps after our last message, cancelled by a reply or a resolve, business hours."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sched_helpers import World, conversation_of, customer_writes, outbound

from tests.conftest import current_graph
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.events.cli import drain as drain_spine
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline
from whatsapp_saas.scheduling.dispatch_followups import fire_due_follow_ups
from whatsapp_saas.scheduling.followups import list_follow_ups, save_rule, start_follow_up
from whatsapp_saas.scheduling.handlers import on_message_stored
from whatsapp_saas.scheduling.models import FollowUp
from whatsapp_saas.scheduling.preferences import save_preferences
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.events import InboundMessageArrived

STEPS = [{"delay_hours": 2, "text": "Conseguiu ver?"}, {"delay_hours": 24, "text": "Ainda aí?"}]
ALWAYS_OPEN = {str(d): ["00:00", "23:59"] for d in range(7)}


def open_conversation(world: World) -> int:
    """The customer wrote, and an attendant answered: now we wait for the customer."""
    customer_writes(world, "Quanto custa?")
    conversation = conversation_of(world, world.contact_ids[0])
    assert conversation is not None and conversation.id is not None
    with session_scope() as session:
        inbox.enqueue_text_reply(
            world.scope(session), actor=world.owner, conversation_id=conversation.id, text="R$ 10"
        )
    return conversation.id


def start(world: World, conversation_id: int, **extra: object) -> FollowUp:
    with session_scope() as session:
        return start_follow_up(
            world.scope(session),
            actor=world.owner,
            conversation_id=conversation_id,
            **extra,  # type: ignore[arg-type]
        )


def fire(at: datetime) -> list:
    with session_scope() as session:
        return fire_due_follow_ups(session, now=at)


def current(world: World, follow_up_id: int) -> FollowUp:
    with session_scope() as session:
        return world.scope(session).get(FollowUp, follow_up_id)


@pytest.fixture
def always_open(world: World) -> None:
    with session_scope() as session:
        save_preferences(world.scope(session), business_hours=ALWAYS_OPEN)


def test_steps_go_out_one_after_another_then_done(world: World, always_open: None) -> None:
    conversation_id = open_conversation(world)
    follow_up = start(world, conversation_id, steps=STEPS, business_hours_only=False)
    anchor = follow_up.anchor_at
    assert follow_up.due_at - anchor == timedelta(hours=2)
    assert fire(anchor + timedelta(hours=1)) == []
    (sent,) = fire(anchor + timedelta(hours=2, seconds=1))
    assert sent.step == 0
    row = current(world, follow_up.id or 0)
    assert row.step == 1 and row.status == "pending"
    assert row.due_at == anchor + timedelta(hours=2, seconds=1) + timedelta(hours=24)
    fire(row.due_at)
    assert current(world, follow_up.id or 0).status == "done"
    assert [m.body for m in outbound(sent_by="schedule")] == ["Conseguiu ver?", "Ainda aí?"]


async def test_a_customer_reply_cancels_through_the_durable_subscriber(
    world: World, always_open: None
) -> None:
    conversation_id = open_conversation(world)
    follow_up = start(world, conversation_id, steps=STEPS, business_hours_only=False)
    pipeline = IngestPipeline(bus=current_graph().bus, wait_for_commit=True)
    msg = gw.MessageReceived(
        session_id=str(world.number_id),
        message_id="REPLY1",
        chat="5511988880001@s.whatsapp.net",
        sender_jid="5511988880001@s.whatsapp.net",
        sender_lid=None,
        push_name="Cliente",
        timestamp=datetime.now(UTC),
        text="Vou ver e te falo",
    )
    await pipeline.submit(InboundMessageArrived(world.tenant_id, world.number_id, msg))
    await pipeline.flush()
    await pipeline.stop()
    assert current(world, follow_up.id or 0).status == "pending"  # nothing ran yet
    await asyncio.to_thread(drain_spine)  # what the spine runner does right after the commit
    row = current(world, follow_up.id or 0)
    assert row.status == "cancelled" and row.cancel_reason == "customer_replied"


def test_a_reply_whose_hook_was_lost_still_stops_the_follow_up(
    world: World, always_open: None
) -> None:
    conversation_id = open_conversation(world)
    follow_up = start(world, conversation_id, steps=STEPS, business_hours_only=False)
    customer_writes(world, "Oi de novo")  # stored, but no hook ran (a crash after commit)
    assert current(world, follow_up.id or 0).status == "pending"
    assert fire(follow_up.due_at + timedelta(seconds=1)) == []
    row = current(world, follow_up.id or 0)
    assert row.status == "cancelled" and row.cancel_reason == "customer_replied"
    assert outbound(sent_by="schedule") == []


def test_resolving_the_conversation_cancels_it(world: World, always_open: None) -> None:
    conversation_id = open_conversation(world)
    follow_up = start(world, conversation_id, steps=STEPS, business_hours_only=False)
    with session_scope() as session:
        inbox.resolve(world.scope(session), actor=world.owner, conversation_id=conversation_id)
    drain_spine()  # the durable subscriber (the spine runner does this right after commit)
    row = current(world, follow_up.id or 0)
    assert row.status == "cancelled" and row.cancel_reason == "resolved"
    assert fire(follow_up.due_at + timedelta(seconds=1)) == []


def test_an_attendant_message_restarts_the_clock(world: World, always_open: None) -> None:
    conversation_id = open_conversation(world)
    follow_up = start(world, conversation_id, steps=STEPS, business_hours_only=False)
    with session_scope() as session:
        inbox.enqueue_text_reply(
            world.scope(session),
            actor=world.owner,
            conversation_id=conversation_id,
            text="Mais info",
        )
    drain_spine()
    row = current(world, follow_up.id or 0)
    assert row.anchor_at > follow_up.anchor_at and row.due_at > follow_up.due_at


def test_business_hours_move_a_step_to_the_next_opening(world: World) -> None:
    with session_scope() as session:  # open 09:00-18:00 São Paulo time, Monday to Friday
        save_preferences(
            world.scope(session), business_hours={str(d): ["09:00", "18:00"] for d in range(5)}
        )
    customer_writes(world, "Olá")  # no message of ours yet: the clock starts "now"
    conversation = conversation_of(world, world.contact_ids[0])
    assert conversation is not None and conversation.id is not None
    conversation_id = conversation.id
    friday_night = datetime(2030, 3, 1, 23, 0, tzinfo=UTC)  # Friday 20:00 in São Paulo
    with session_scope() as session:
        row = start_follow_up(
            world.scope(session),
            actor=world.owner,
            conversation_id=conversation_id,
            steps=STEPS,
            business_hours_only=True,
            now=friday_night,
        )
    # Due Friday 22:00 local, closed: Monday 09:00 local = 12:00 UTC.
    assert row.due_at == datetime(2030, 3, 4, 12, 0, tzinfo=UTC)


def test_rules_are_reusable_and_validated(world: World, always_open: None) -> None:
    with session_scope() as session:
        rule = save_rule(world.scope(session), name="Orçamento", steps=STEPS)
        with pytest.raises(UserError) as err:
            save_rule(world.scope(session), name="x", steps=[{"delay_hours": 0, "text": "a"}])
        assert err.value.code == "error.sched_followup_delay_invalid"
        with pytest.raises(UserError) as err:
            save_rule(world.scope(session), name="x", steps=STEPS * 3)
        assert err.value.code == "error.sched_followup_too_many_steps"
    conversation_id = open_conversation(world)
    follow_up = start(world, conversation_id, rule_id=rule.id)
    assert follow_up.steps == [
        {"delay_hours": 2.0, "text": "Conseguiu ver?"},
        {"delay_hours": 24.0, "text": "Ainda aí?"},
    ]
    second = start(world, conversation_id, steps=STEPS[:1])  # replaces the running one
    with session_scope() as session:
        pending = list_follow_ups(world.scope(session), actor=None, conversation_id=conversation_id)
    assert [p.id for p in pending] == [second.id]
    assert current(world, follow_up.id or 0).cancel_reason == "replaced"


def test_hook_ignores_outbound_and_notes(world: World) -> None:
    import asyncio

    from whatsapp_saas.inbox.events import MessageStored

    event = MessageStored(world.tenant_id, 1, 1, world.number_id, 1, "out", "text", "X")
    asyncio.run(on_message_stored(event))  # nothing to do, nothing raised
