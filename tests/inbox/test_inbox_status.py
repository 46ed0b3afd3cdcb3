"""Delivery states only move forward, whatever order receipts arrive in."""

from __future__ import annotations

from conftest import Recorder, World
from inbox_helpers import conversations, inbound, messages, receipt

from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.events import MessageStatusChanged
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.models import MessageStatus
from whatsapp_saas.inbox.service import enqueue_text_reply
from whatsapp_saas.inbox.status import advance_one, allowed_from, can_move, fail_one, mark_sent
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.gateway import ReceiptKind

S = MessageStatus


def test_the_transition_table() -> None:
    assert allowed_from(S.READ) == ("queued", "sending", "sent", "delivered")
    assert allowed_from(S.SENT) == ("queued", "sending")
    assert allowed_from(S.FAILED) == ("queued", "sending")
    assert not can_move("read", S.DELIVERED)
    assert not can_move("delivered", S.FAILED)
    assert not can_move(None, S.SENT)  # internal notes have no status and never move


def _queued(world: World) -> tuple[int, str]:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id))
    with session_scope() as session:
        message = enqueue_text_reply(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            conversation_id=conversations()[0].id,
            text="hello",  # type: ignore[arg-type]
        )
    assert message.id is not None and message.wa_message_id is not None
    return message.id, message.wa_message_id


def _status(message_id: int) -> str | None:
    return messages(id=message_id)[0].status


def test_receipts_move_forward_only(world: World, recorder: Recorder) -> None:
    a = world.a
    message_id, wa = _queued(world)
    with session_scope() as session:
        assert advance_one(session, message_id=message_id, new=S.SENDING, at=utcnow()) is not None
        assert mark_sent(session, message_ids=[message_id], at=utcnow())
    for kind, expected in [
        (ReceiptKind.READ, "read"),  # read before delivered: jumps, fills delivered_at
        (ReceiptKind.DELIVERED, "read"),  # late delivered receipt: ignored
        (ReceiptKind.READ, "read"),  # replayed: ignored
        (ReceiptKind.PLAYED, "read"),
    ]:
        ingest_event(receipt(a.tenant_id, a.number_id, kind, wa))
        assert _status(message_id) == expected
    row = messages(id=message_id)[0]
    assert row.sent_at and row.delivered_at and row.read_at and row.sending_at and row.queued_at
    changes = [e.status for e in recorder.of(MessageStatusChanged)]
    assert changes == ["sending", "sent", "read"]
    with session_scope() as session:
        assert not fail_one(session, message_id=message_id, at=utcnow(), reason="too late to fail")
        assert not mark_sent(session, message_ids=[message_id], at=utcnow())
    assert _status(message_id) == "read"


def test_failed_only_from_queued_or_sending(world: World) -> None:
    message_id, _ = _queued(world)
    with session_scope() as session:
        assert fail_one(session, message_id=message_id, at=utcnow(), reason="session not running")
    assert _status(message_id) == "failed"
    with session_scope() as session:
        assert not mark_sent(
            session, message_ids=[message_id], at=utcnow()
        )  # failed is final until a person retries


def test_receipts_never_touch_inbound_messages_or_other_numbers(world: World) -> None:
    a, b = world.a, world.b
    ingest_event(inbound(a.tenant_id, a.number_id, message_id="SAME"))
    message_id, wa = _queued(world)
    for kind in (ReceiptKind.DELIVERED, ReceiptKind.READ):
        ingest_event(receipt(b.tenant_id, b.number_id, kind, wa, "SAME"))  # another tenant's
        ingest_event(receipt(a.tenant_id, a.number_id, kind, "SAME"))  # an inbound message
    assert _status(message_id) == "queued"
    assert messages(wa_message_id="SAME")[0].status == "delivered"
