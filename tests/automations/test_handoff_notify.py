"""Handing to a human notifies: the assigned agent, else the department's members; a system
line stays in the conversation; the live alert reaches only the inboxes it names."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from auto_helpers import World, add_rule, conversation, inbound

from tests.conftest import current_graph
from whatsapp_saas.automations.handoff import HandedToHuman
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Conversation, Department, DepartmentMember, Message
from whatsapp_saas.inbox.system_lines import SYSTEM_MESSAGE_TYPE
from whatsapp_saas.realtime.channel import LocalChannel
from whatsapp_saas.realtime.events import HandoffRequested, decode, encode
from whatsapp_saas.realtime.handlers import LiveUpdates
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.inbox import hub as hub_module
from whatsapp_saas.ui.inbox.hub import InboxHub
from whatsapp_saas.ui.inbox.live import FeedUpdate, Viewer


@dataclass
class Recorder:
    events: list[HandedToHuman] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, event: HandedToHuman) -> None:
        with self.lock:
            self.events.append(event)


@pytest.fixture
def handoffs(world: World) -> Recorder:
    found = Recorder()
    current_graph().bus.subscribe(HandedToHuman, found)
    return found


def _department(world: World, *members: int) -> int:
    with session_scope() as session:
        row = Department(tenant_id=world.tenant_id, name="Sales")
        session.add(row)
        session.flush()
        assert row.id is not None
        for user_id in members:
            session.add(
                DepartmentMember(tenant_id=world.tenant_id, department_id=row.id, user_id=user_id)
            )
        return row.id


def _handoff_lines(world: World) -> list[dict[str, str]]:
    with session_scope() as session:
        rows = TenantScope(session, world.tenant_id).all(
            Message, Message.type == SYSTEM_MESSAGE_TYPE
        )
        return [json.loads(m.body or "{}") for m in rows]


def test_a_department_hand_over_notifies_its_members(world: World, handoffs: Recorder) -> None:
    sales = _department(world, world.agent.user_id)
    add_rule(
        world,
        name="Talk to sales",
        actions=[{"type": "hand_to_human", "department_id": sales}],
    )
    inbound(world, "qual o preço?")
    c = conversation(world)
    assert [(e.conversation_id, e.user_ids) for e in handoffs.events] == [
        (c.id, (world.agent.user_id,))
    ]
    assert _handoff_lines(world) == [{"action": "handoff", "to": "Talk to sales"}]
    inbound(world, "preço de novo")  # a person owns it now: no second hand-over
    assert len(handoffs.events) == 1


def test_the_assigned_agent_alone_is_notified(world: World, handoffs: Recorder) -> None:
    sales = _department(world, world.agent.user_id, world.owner.user_id)
    inbound(world, "oi", run=False)
    c = conversation(world)
    with session_scope() as session:
        row = TenantScope(session, world.tenant_id).get(Conversation, c.id)
        row.assignee_id, row.department_id = world.owner.user_id, sales
        session.add(row)
    add_rule(world, name="Human", actions=[{"type": "hand_to_human"}])
    inbound(world, "preco")
    assert [e.user_ids for e in handoffs.events] == [(world.owner.user_id,)]


def test_the_live_event_is_typed_and_mapped_after_commit() -> None:
    published: list[Any] = []
    live = LiveUpdates(SimpleNamespace(publish=published.append))
    live.on_handed_to_human(HandedToHuman(1, 2, (3, 4)))
    assert published == [HandoffRequested(1, 2, (3, 4))]
    assert decode(encode(published[0])) == HandoffRequested(1, 2, (3, 4))
    assert HandedToHuman.live_only  # the system line is the lasting record


@dataclass
class Pushes:
    calls: list[tuple[str, list[FeedUpdate]]] = field(default_factory=list)

    async def __call__(
        self, app: Any, token: str, updates: list[FeedUpdate], viewer: Viewer
    ) -> None:
        self.calls.append((token, updates))

    def alerts(self, token: str) -> list[tuple[str, str] | None]:
        return [u.handoff for t, updates in self.calls if t == token for u in updates]


async def test_only_the_named_viewers_inboxes_get_the_alert(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "refused_tabs", lambda *_a, **_k: set())
    sales = _department(world, world.agent.user_id)
    inbound(world, "oi", run=False)
    c = conversation(world)
    with session_scope() as session:
        row = TenantScope(session, world.tenant_id).get(Conversation, c.id)
        row.department_id = sales
        session.add(row)
    pushes = Pushes()
    hub = InboxHub(LocalChannel(), pushes)
    hub.register("agent", world.agent, "", frozenset({sales}))
    hub.register("owner", world.owner, "", frozenset())
    hub.register("agent-stale", world.agent, "", frozenset())  # not yet seen in Sales
    sockets = SimpleNamespace(is_token_connected=_always_connected)
    app: Any = SimpleNamespace(event_namespace=SimpleNamespace(_token_manager=sockets))
    await hub.handle(app, [HandoffRequested(world.tenant_id, c.id or 0, (world.agent.user_id,))])
    for _ in range(5):
        await asyncio.sleep(0)
    assert pushes.alerts("agent") == [(str(c.id), "Maria Silva")]
    assert pushes.alerts("owner") == []  # a manager who was not named
    assert pushes.alerts("agent-stale") == []  # a tab that may not see the conversation


async def _always_connected(_token: str) -> bool:
    return True
