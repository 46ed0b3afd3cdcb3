"""The one Retry of a failed message: gated by the inbox's access rules, forward-only, evented."""

from __future__ import annotations

import pytest
from conftest import Recorder, World
from inbox_helpers import conversations, inbound, messages

from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox import service
from whatsapp_saas.inbox.events import MessageStatusChanged, OutboundQueued
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.status import fail_one, retry_failed
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def _failed_reply(world: World, *, department: bool = False) -> int:
    """A failed reply in a conversation of tenant A (in the Sales department if asked)."""
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id))
    conversation_id = conversations()[0].id
    assert conversation_id is not None
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        if department:
            service.transfer(
                scope, actor=a.owner, conversation_id=conversation_id, department_id=a.department_id
            )
        message = service.enqueue_text_reply(
            scope, actor=a.owner, conversation_id=conversation_id, text="hi"
        )
        assert message.id is not None
        assert fail_one(
            session, message_id=message.id, at=utcnow(), reason="number not on WhatsApp"
        )
        return message.id


def _row_status(message_id: int) -> tuple[str | None, str | None]:
    [row] = messages(id=message_id)
    return row.status, row.failure_reason


def test_an_agent_outside_the_department_cannot_retry(world: World, recorder: Recorder) -> None:
    a = world.a
    message_id = _failed_reply(world, department=True)
    recorder.clear()
    with pytest.raises(NotFound), session_scope() as session:
        retry_failed(TenantScope(session, a.tenant_id), actor=a.agent_out, message_id=message_id)
    assert _row_status(message_id) == ("failed", "number not on WhatsApp")
    assert recorder.events == []
    with session_scope() as session:  # a member of the department may
        retry_failed(TenantScope(session, a.tenant_id), actor=a.agent_in, message_id=message_id)
    assert _row_status(message_id) == ("queued", None)


def test_another_tenants_viewer_or_scope_gets_not_found(world: World) -> None:
    a, b = world.a, world.b
    message_id = _failed_reply(world)
    for tenant_id, viewer in [(b.tenant_id, b.owner), (a.tenant_id, b.owner)]:
        with pytest.raises(NotFound), session_scope() as session:
            retry_failed(TenantScope(session, tenant_id), actor=viewer, message_id=message_id)
    assert _row_status(message_id) == ("failed", "number not on WhatsApp")


def test_retry_requeues_once_and_says_so(world: World, recorder: Recorder) -> None:
    a = world.a
    message_id = _failed_reply(world)
    recorder.clear()
    with session_scope() as session:
        retry_failed(TenantScope(session, a.tenant_id), actor=a.owner, message_id=message_id)
    assert _row_status(message_id) == ("queued", None)
    assert [e.status for e in recorder.of(MessageStatusChanged)] == ["queued"]
    assert [e.message_id for e in recorder.of(OutboundQueued)] == [message_id]
    with pytest.raises(UserError) as err, session_scope() as session:  # a double click
        retry_failed(TenantScope(session, a.tenant_id), actor=a.owner, message_id=message_id)
    assert err.value.code == "error.inbox_not_failed"


def test_the_inbox_service_exposes_the_same_retry() -> None:
    assert service.retry_failed is retry_failed
