"""Ingest: one transaction per event (or batch), idempotent, counters right, events after commit."""

from __future__ import annotations

from conftest import Recorder, World
from inbox_helpers import conversations, image, inbound, messages, wa_id

from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.events import ConversationUpdated, MessageStored
from whatsapp_saas.inbox.ingest import ingest_batch, ingest_event
from whatsapp_saas.inbox.models import ConversationStatus, MediaStatus
from whatsapp_saas.inbox.service import resolve
from whatsapp_saas.tenancy.scope import TenantScope


def test_same_event_three_times_is_stored_once(world: World, recorder: Recorder) -> None:
    a = world.a
    event = inbound(a.tenant_id, a.number_id, text="oi, tudo bem?")
    results = [ingest_event(event) for _ in range(3)]
    assert [len(r.outcome.stored) for r in results] == [1, 0, 0]
    assert [r.outcome.duplicates for r in results] == [0, 1, 1]
    [message] = messages()
    assert (message.direction, message.type, message.body) == ("in", "text", "oi, tudo bem?")
    assert message.status == "delivered"
    [conversation] = conversations()
    assert conversation.unread_count == 1
    assert conversation.last_message_preview == "oi, tudo bem?"
    assert len(recorder.of(MessageStored)) == 1
    assert len(recorder.of(ConversationUpdated)) == 1


def test_replays_inside_one_batch_and_across_batches(world: World) -> None:
    a = world.a
    first, second = (inbound(a.tenant_id, a.number_id, seconds=i) for i in range(2))
    result = ingest_batch([first, first, second, first])
    assert len(result.outcome.stored) == 2
    assert ingest_batch([second, first]).outcome.duplicates == 2
    assert len(messages()) == 2
    assert conversations()[0].unread_count == 2


def test_counters_follow_the_newest_message_even_when_late_ones_arrive(world: World) -> None:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, text="newer", seconds=60))
    ingest_event(inbound(a.tenant_id, a.number_id, text="older, delivered late", seconds=1))
    [conversation] = conversations()
    assert conversation.unread_count == 2
    assert conversation.last_message_preview == "newer"


def test_many_contacts_in_one_batch(world: World) -> None:
    a = world.a
    events = [
        inbound(a.tenant_id, a.number_id, phone=f"+55119888800{i:02d}", seconds=i)
        for i in range(20)
        for _ in range(2)  # each customer writes twice
    ]
    result = ingest_batch(events)
    assert len(result.outcome.stored) == 40
    assert len(conversations()) == 20
    assert {c.unread_count for c in conversations()} == {2}


def test_a_new_inbound_message_reopens_a_resolved_conversation(world: World) -> None:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id))
    [conversation] = conversations()
    with session_scope() as session:
        resolve(TenantScope(session, a.tenant_id), actor=a.owner, conversation_id=conversation.id)  # type: ignore[arg-type]
    assert conversations()[0].status == ConversationStatus.RESOLVED
    ingest_event(inbound(a.tenant_id, a.number_id, seconds=5))
    assert conversations()[0].status == ConversationStatus.OPEN
    assert len(messages(is_internal_note=False)) == 2  # resolving deleted nothing


def test_own_messages_from_the_phone_are_outbound_and_not_unread(world: World) -> None:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, text="sent from the phone", from_me=True))
    [message] = messages()
    assert (message.direction, message.status) == ("out", "sent")
    [conversation] = conversations()
    assert conversation.unread_count == 0


def test_groups_are_skipped(world: World) -> None:
    a = world.a
    result = ingest_event(inbound(a.tenant_id, a.number_id, is_group=True))
    assert result.outcome.skipped == 1
    assert messages() == []


def test_media_message_is_stored_at_once_with_pending_media(world: World) -> None:
    a = world.a
    result = ingest_event(inbound(a.tenant_id, a.number_id, text="look", media=image()))
    [message] = messages()
    assert (message.type, message.caption, message.body) == ("image", "look", None)
    assert message.media_status == MediaStatus.PENDING
    assert result.outcome.media_message_ids == [message.id]
    assert conversations()[0].last_message_preview == "📷 look"


def test_one_bad_event_does_not_sink_its_batch(world: World) -> None:
    a = world.a
    good = [inbound(a.tenant_id, a.number_id, seconds=i) for i in range(3)]
    bad = inbound(a.tenant_id, 999_999)  # no such number: a foreign-key violation
    result = ingest_batch([good[0], bad, good[1], good[2]])
    assert len(result.outcome.stored) == 3
    assert result.failed == [bad]
    assert len(messages()) == 3


def test_the_same_id_on_two_numbers_is_two_messages(world: World) -> None:
    a, b = world.a, world.b
    shared = wa_id()
    ingest_event(inbound(a.tenant_id, a.number_id, message_id=shared))
    ingest_event(inbound(b.tenant_id, b.number_id, message_id=shared))
    assert len(messages()) == 2
    assert {c.tenant_id for c in conversations()} == {a.tenant_id, b.tenant_id}
