"""Ingest records ConversationOpened on the spine when a customer's message creates or reopens
a conversation: in the batch's transaction, once, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import Recorder, World
from inbox_helpers import conversations, inbound

from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.events.models import EventRecord
from whatsapp_saas.inbox.events import ConversationChange, ConversationOpened, ConversationUpdated
from whatsapp_saas.inbox.ingest import ingest_batch, ingest_event
from whatsapp_saas.inbox.service import open_conversation, resolve
from whatsapp_saas.tenancy.scope import TenantScope

NEW, OTHER = "+5511977770001", "+5511977770002"


def stored_types() -> list[tuple[str, int | None]]:
    t: sa.Table = EventRecord.__table__  # type: ignore[attr-defined]
    query = sa.select(t.c.type, t.c.conversation_id).where(t.c.type.like("Conversation%"))
    with session_scope() as session:
        return [(row[0], row[1]) for row in session.execute(query.order_by(t.c.id))]


def test_a_new_number_opens_a_conversation_once(world: World, recorder: Recorder) -> None:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, phone=NEW, text="oi"))
    ingest_event(inbound(a.tenant_id, a.number_id, phone=NEW, text="tudo bem?", seconds=1))
    [conversation] = conversations()
    opened = recorder.of(ConversationOpened)
    assert [(e.conversation_id, e.change) for e in opened] == [
        (conversation.id, ConversationChange.CREATED)
    ]
    updates = [e for e in recorder.of(ConversationUpdated) if type(e) is ConversationUpdated]
    assert [e.change for e in updates] == [ConversationChange.MESSAGE]
    # Written to the events table with the message, not only announced live.
    assert stored_types() == [
        ("ConversationOpened", conversation.id),
        ("ConversationUpdated", conversation.id),
    ]


def test_one_batch_opens_each_new_conversation_once(world: World, recorder: Recorder) -> None:
    a = world.a
    batch = [
        inbound(a.tenant_id, a.number_id, phone=phone, seconds=i)
        for i, phone in enumerate([NEW, OTHER, NEW, OTHER, NEW])
    ]
    ingest_batch(batch)
    ids = sorted(c.id for c in conversations())
    assert sorted(e.conversation_id for e in recorder.of(ConversationOpened)) == ids
    assert len(recorder.of(ConversationUpdated)) == 2, "one event per conversation"


def test_a_customer_reopens_a_resolved_conversation(world: World, recorder: Recorder) -> None:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, phone=NEW))
    [conversation] = conversations()
    with session_scope() as session:
        resolve(
            TenantScope(session, a.tenant_id), actor=a.owner, conversation_id=conversation.id or 0
        )
    recorder.clear()
    # Our own message from the phone does not reopen it: nothing opens.
    ingest_event(inbound(a.tenant_id, a.number_id, phone=NEW, from_me=True, seconds=1))
    assert recorder.of(ConversationOpened) == []
    ingest_event(inbound(a.tenant_id, a.number_id, phone=NEW, text="voltei", seconds=2))
    [reopened] = recorder.of(ConversationOpened)
    assert (reopened.change, reopened.status) == (ConversationChange.STATUS, "open")
    ingest_event(inbound(a.tenant_id, a.number_id, phone=NEW, text="alô?", seconds=3))
    assert len(recorder.of(ConversationOpened)) == 1, "an open conversation is not reopened"


def test_an_attendant_opening_it_is_not_recorded_again_by_ingest(
    world: World, recorder: Recorder
) -> None:
    """The inbox records the opening when an attendant starts the conversation; the
    customer's first answer is then a plain update."""
    a = world.a
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        contact = create_contact(scope, phone=NEW, name="Ana")
        open_conversation(scope, actor=a.owner, number_id=a.number_id, contact_id=contact.id or 0)
    ingest_event(inbound(a.tenant_id, a.number_id, phone=NEW, text="oi"))
    assert len(conversations()) == 1
    assert [e.change for e in recorder.of(ConversationOpened)] == [ConversationChange.CREATED]
