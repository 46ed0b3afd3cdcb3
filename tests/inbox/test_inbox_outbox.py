"""Outbox: replies are queued rows with a fixed WhatsApp id; the sender is woken after commit."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pytest
from conftest import Recorder, World
from inbox_helpers import conversations, inbound, messages

from tests.conftest import current_graph
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.claim.claims import claim_batch
from whatsapp_saas.delivery.worker.notifier import attach
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.events import MessageStored, OutboundQueued
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.media import MB, media_store
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.inbox.outbox import OutboundJob
from whatsapp_saas.inbox.service import (
    add_internal_note,
    enqueue_media_reply,
    enqueue_text_reply,
    get_messages,
    retry_failed,
)
from whatsapp_saas.inbox.status import fail_one
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

WA_ID = re.compile(r"^3EB0[0-9A-F]{16}$")


class FakeNotifier:
    def __init__(self) -> None:
        self.woken: list[OutboundJob] = []
        self.in_transaction: list[bool] = []

    def wake(self, jobs: Sequence[OutboundJob]) -> None:
        # After commit, another connection already sees the row.
        with session_scope() as session:
            for job in jobs:
                self.in_transaction.append(session.get(Message, job.message_id) is None)
        self.woken.extend(jobs)


@pytest.fixture
def notifier(world: World) -> Iterator[FakeNotifier]:
    """The outbound waker: a live subscriber on the bus (after commit)."""
    fake = FakeNotifier()
    detach = attach(current_graph().bus, fake)
    yield fake
    detach()


def _conversation(world: World) -> int:
    ingest_event(inbound(world.a.tenant_id, world.a.number_id))
    conversation_id = conversations()[0].id
    assert conversation_id is not None
    return conversation_id


def test_text_reply_is_a_queued_row_with_a_fixed_id(
    world: World, notifier: FakeNotifier, recorder: Recorder
) -> None:
    a = world.a
    conversation_id = _conversation(world)
    with session_scope() as session:
        message = enqueue_text_reply(
            TenantScope(session, a.tenant_id),
            actor=a.agent_out,
            conversation_id=conversation_id,
            text="  Olá! Como posso ajudar? 😊 ",
        )
        assert notifier.woken == []  # not before commit
    row = messages(direction="out")[0]
    assert (row.status, row.body, row.sent_by) == ("queued", "Olá! Como posso ajudar? 😊", "agent")
    assert WA_ID.match(row.wa_message_id or "")
    assert row.queued_at is not None and row.author_user_id == a.agent_out.user_id
    assert [j.message_id for j in notifier.woken] == [message.id]
    assert notifier.in_transaction == [False]
    assert len(recorder.of(OutboundQueued)) == 1
    assert conversations()[0].last_message_preview == "Olá! Como posso ajudar? 😊"


def test_rolled_back_reply_wakes_nobody(world: World, notifier: FakeNotifier) -> None:
    a = world.a
    conversation_id = _conversation(world)
    with pytest.raises(RuntimeError), session_scope() as session:
        enqueue_text_reply(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            conversation_id=conversation_id,
            text="hi",
        )
        raise RuntimeError("the request failed after writing")
    assert notifier.woken == []
    assert messages(direction="out") == []


def test_internal_notes_are_never_queued(
    world: World, notifier: FakeNotifier, recorder: Recorder
) -> None:
    a = world.a
    conversation_id = _conversation(world)
    with session_scope() as session:
        note = add_internal_note(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            conversation_id=conversation_id,
            text="VIP customer, be nice",
        )
    assert notifier.woken == []
    [row] = messages(is_internal_note=True)
    assert (row.status, row.wa_message_id) == (None, None)
    with session_scope() as session:
        assert claim_batch(session, message_ids=[note.id], now=utcnow()) == []  # type: ignore[list-item]
        page = get_messages(
            TenantScope(session, a.tenant_id), actor=a.owner, conversation_id=conversation_id
        )
        assert [m.is_internal_note for m in page.messages] == [False, True]
    [stored] = [e for e in recorder.of(MessageStored) if e.is_internal_note]
    assert stored.wa_message_id is None


def test_sender_claims_sends_and_failures_can_be_retried_with_the_same_id(
    world: World, notifier: FakeNotifier
) -> None:
    a = world.a
    conversation_id = _conversation(world)
    with session_scope() as session:
        message = enqueue_text_reply(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            conversation_id=conversation_id,
            text="hi",
        )
    assert message.id is not None
    with session_scope() as session:
        [claimed] = claim_batch(session, message_ids=[message.id], now=utcnow())
        assert claimed.job is not None and claimed.job.text == "hi"
        assert claimed.job.to == "5511988887777@s.whatsapp.net"
        assert claim_batch(session, message_ids=[message.id], now=utcnow()) == []
        assert fail_one(
            session, message_id=message.id, at=utcnow(), reason="number not on WhatsApp"
        )
    [row] = messages(direction="out")
    assert (row.status, row.failure_reason) == ("failed", "number not on WhatsApp")
    with session_scope() as session:
        retry_failed(TenantScope(session, a.tenant_id), actor=a.owner, message_id=message.id)
    [again] = messages(direction="out")
    assert (again.status, again.wa_message_id) == ("queued", row.wa_message_id)
    assert [j.message_id for j in notifier.woken] == [message.id, message.id]
    with pytest.raises(UserError) as err, session_scope() as session:
        retry_failed(TenantScope(session, a.tenant_id), actor=a.owner, message_id=message.id)
    assert err.value.code == "error.inbox_not_failed"


def test_media_reply_is_stored_and_queued(world: World, notifier: FakeNotifier) -> None:
    a = world.a
    conversation_id = _conversation(world)
    with session_scope() as session:
        message = enqueue_media_reply(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            conversation_id=conversation_id,
            data=b"\x89PNG fake",
            mimetype="image/png",
            filename="plan.png",
            caption="the plan",
        )
    assert message.id is not None
    with session_scope() as session:
        [claimed] = claim_batch(session, message_ids=[message.id], now=utcnow())
    job = claimed.job
    assert job is not None and job.media_key is not None
    assert media_store().get(a.tenant_id, job.media_key) == b"\x89PNG fake"
    assert (job.caption, job.media_kind) == ("the plan", "image")
    assert messages(direction="out")[0].type == "image"


def test_media_limits_give_clear_errors(world: World, notifier: FakeNotifier) -> None:
    a = world.a
    conversation_id = _conversation(world)
    for data, mimetype, code in [
        (b"x" * (5 * MB + 1), "image/jpeg", "error.inbox_media_too_large"),
        (b"x", "image/gif", "error.inbox_media_type_not_allowed"),
        (b"", "application/pdf", "error.inbox_media_empty"),
    ]:
        with pytest.raises(UserError) as err, session_scope() as session:
            scope = TenantScope(session, a.tenant_id)
            enqueue_media_reply(
                scope, actor=a.owner, conversation_id=conversation_id, data=data, mimetype=mimetype
            )
        assert err.value.code == code
    assert notifier.woken == []
    assert messages(direction="out") == []


def test_empty_and_long_texts_are_refused(world: World, notifier: FakeNotifier) -> None:
    a = world.a
    conversation_id = _conversation(world)
    for text, code in (
        ("  ", "error.inbox_message_empty"),
        ("x" * 5000, "error.inbox_message_too_long"),
    ):
        with pytest.raises(UserError) as err, session_scope() as session:
            enqueue_text_reply(
                TenantScope(session, a.tenant_id),
                actor=a.owner,
                conversation_id=conversation_id,
                text=text,
            )
        assert err.value.code == code
