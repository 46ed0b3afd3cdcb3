"""Who sees what: tenants are isolated, agents see their departments' and their own threads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import Recorder, World
from inbox_helpers import conversations, inbound

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox import departments, service
from whatsapp_saas.inbox.events import ConversationRead, ConversationUpdated
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def _call(actor: CurrentUser, fn: Callable[..., Any], **kwargs: Any) -> Any:
    with session_scope() as session:
        return fn(TenantScope(session, actor.tenant_id), actor=actor, **kwargs)


def _ids(viewer: CurrentUser, **filters: Any) -> set[int]:
    page = _call(viewer, service.list_conversations, **filters)
    return {item.conversation.id for item in page.items}


def _threads(world: World) -> dict[str, int]:
    """Four conversations in tenant A: queue, department, assigned to agent_out, and B's one."""
    a, b = world.a, world.b
    for i, phone in enumerate(["+5511911110001", "+5511911110002", "+5511911110003"]):
        ingest_event(inbound(a.tenant_id, a.number_id, phone=phone, seconds=i))
    ingest_event(inbound(b.tenant_id, b.number_id))
    queue, dept, mine = (c.id for c in conversations(tenant_id=a.tenant_id))
    other = conversations(tenant_id=b.tenant_id)[0].id
    _call(a.owner, service.transfer, conversation_id=dept, department_id=a.department_id)
    _call(a.owner, service.assign, conversation_id=mine, user_id=a.agent_out.user_id)
    return {"queue": queue, "dept": dept, "mine": mine, "other": other}  # type: ignore[dict-item]


def test_admins_see_everything_of_their_tenant_only(world: World) -> None:
    t = _threads(world)
    assert _ids(world.a.owner) == {t["queue"], t["dept"], t["mine"]}
    assert _ids(world.b.owner) == {t["other"]}


def test_agents_see_their_departments_their_own_and_the_unclaimed(world: World) -> None:
    t = _threads(world)
    assert _ids(world.a.agent_in) == {t["queue"], t["dept"]}
    assert _ids(world.a.agent_out) == {t["queue"], t["mine"]}
    assert _ids(world.a.agent_out, filter="mine") == {t["mine"]}
    assert _ids(world.a.owner, filter="unassigned") == {t["queue"], t["dept"]}
    assert _ids(world.a.owner, department_id=world.a.department_id) == {t["dept"]}


HIDDEN_ACTIONS: list[Callable[[int], tuple[Callable[..., Any], dict[str, Any]]]] = [
    lambda cid: (service.get_conversation, {"conversation_id": cid}),
    lambda cid: (service.get_messages, {"conversation_id": cid}),
    lambda cid: (service.mark_read, {"conversation_id": cid}),
    lambda cid: (service.assign_to_me, {"conversation_id": cid}),
    lambda cid: (service.resolve, {"conversation_id": cid}),
    lambda cid: (service.enqueue_text_reply, {"conversation_id": cid, "text": "hi"}),
    lambda cid: (service.add_internal_note, {"conversation_id": cid, "text": "psst"}),
]


def test_hidden_conversations_are_not_found(world: World) -> None:
    t = _threads(world)
    cases = [
        (world.b.owner, t["dept"]),  # another tenant's id
        (world.a.owner, t["other"]),
        (world.a.agent_out, t["dept"]),  # an agent outside the department
        (world.a.agent_in, t["mine"]),  # assigned to someone else, no department
    ]
    for action in HIDDEN_ACTIONS:
        for viewer, conversation_id in cases:
            fn, args = action(conversation_id)
            with pytest.raises(NotFound):
                _call(viewer, fn, **args)


def test_transfer_moves_visibility(world: World, recorder: Recorder) -> None:
    t = _threads(world)
    a = world.a
    _call(
        a.agent_in,
        service.transfer,
        conversation_id=t["dept"],
        department_id=None,
        user_id=a.agent_out.user_id,
    )
    assert t["dept"] in _ids(a.agent_out)
    assert t["dept"] not in _ids(a.agent_in)
    changes = [e.change for e in recorder.of(ConversationUpdated) if e.conversation_id == t["dept"]]
    assert changes[-1] == "transferred"


def test_assigning_checks_the_assignee(world: World) -> None:
    t = _threads(world)
    with pytest.raises(UserError) as err:
        _call(
            world.a.owner, service.assign, conversation_id=t["queue"], user_id=world.b.owner.user_id
        )
    assert err.value.code == "error.inbox_user_not_assignable"
    with pytest.raises(NotFound):
        _call(
            world.a.owner,
            service.transfer,
            conversation_id=t["queue"],
            department_id=world.b.department_id,
        )


def test_mark_read_zeroes_unread_and_names_the_messages_to_receipt(
    world: World, recorder: Recorder
) -> None:
    a = world.a
    for i in range(3):
        ingest_event(inbound(a.tenant_id, a.number_id, message_id=f"IN{i}", seconds=i))
    [conversation] = conversations()
    assert _call(a.agent_in, service.mark_read, conversation_id=conversation.id) == [
        "IN0",
        "IN1",
        "IN2",
    ]
    assert conversations()[0].unread_count == 0
    assert _call(a.agent_in, service.mark_read, conversation_id=conversation.id) == []
    ingest_event(inbound(a.tenant_id, a.number_id, message_id="IN3", seconds=9))
    assert _call(a.agent_in, service.mark_read, conversation_id=conversation.id) == ["IN3"]
    reads = recorder.of(ConversationRead)
    assert [r.wa_message_ids for r in reads] == [("IN0", "IN1", "IN2"), ("IN3",)]
    assert reads[0].chat_jid == "5511988887777@s.whatsapp.net"


def test_only_managers_manage_departments(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _call(world.a.agent_in, departments.create_department, name="Support")
    created = _call(world.a.owner, departments.create_department, name=" Support ")
    assert created.name == "Support"
    with pytest.raises(UserError):
        _call(world.a.owner, departments.create_department, name="Support")
    _call(
        world.a.owner,
        departments.add_member,
        department_id=created.id,
        user_id=world.a.agent_out.user_id,
    )
    with session_scope() as session:
        scope = TenantScope(session, world.a.tenant_id)
        assert departments.members_of(scope, department_id=created.id) == [
            world.a.agent_out.user_id
        ]


def test_infinite_scroll_pages_through_everything_in_order(world: World) -> None:
    a = world.a
    for i in range(7):
        ingest_event(inbound(a.tenant_id, a.number_id, phone=f"+55119222200{i:02d}", seconds=i % 3))
    seen: list[int] = []
    cursor = None
    while True:
        page = _call(a.owner, service.list_conversations, cursor=cursor, limit=3)
        seen += [item.conversation.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = sorted(conversations(), key=lambda c: (c.last_message_at, c.id), reverse=True)
    assert seen == [c.id for c in expected]


def test_status_filter_and_reopen(world: World) -> None:
    t = _threads(world)
    _call(world.a.owner, service.resolve, conversation_id=t["queue"])
    assert _ids(world.a.owner, status="resolved") == {t["queue"]}
    _call(world.a.owner, service.reopen, conversation_id=t["queue"])
    assert _ids(world.a.owner, status="resolved") == set()
    with pytest.raises(UserError):
        _call(world.a.owner, service.set_status, conversation_id=t["queue"], status="archived")
