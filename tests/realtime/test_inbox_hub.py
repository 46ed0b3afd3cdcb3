"""The web worker's inbox hub without a running app: a fake socket registry, a recording push.

What it must guarantee: one shared read per batch whatever the number of open inboxes, no rows
an agent may not see, a dropped queue for a tab whose socket went away, and one reload when it
comes back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import event

from tests.inbox.conftest import World, _tenant_world
from tests.inbox.inbox_helpers import inbound
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import get_engine, session_scope
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.realtime.channel import LocalChannel
from whatsapp_saas.realtime.events import ConversationChanged, MessageAdded
from whatsapp_saas.ui.inbox import hub as hub_module
from whatsapp_saas.ui.inbox.hub import InboxHub
from whatsapp_saas.ui.inbox.live import FeedUpdate, Filters, ListView, Viewer, merge_list


@dataclass
class FakeSockets:
    """Which client tokens have a socket; Reflex's token manager answers the same question."""

    gone: set[str] = field(default_factory=set)

    async def is_token_connected(self, token: str) -> bool:
        return token not in self.gone


@dataclass
class Pushes:
    calls: list[tuple[str, list[FeedUpdate], Viewer]] = field(default_factory=list)

    async def __call__(
        self, app: Any, token: str, updates: list[FeedUpdate], viewer: Viewer
    ) -> None:
        self.calls.append((token, updates, viewer))

    def to(self, token: str) -> list[FeedUpdate]:
        return [u for t, updates, _v in self.calls if t == token for u in updates]


def fake_app(sockets: FakeSockets) -> Any:
    return SimpleNamespace(event_namespace=SimpleNamespace(_token_manager=sockets))


@pytest.fixture
def pg(db: str) -> World:
    return World(_tenant_world("Acme"), _tenant_world("Beta"))


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def inbound_events(tenant_id: int, number_id: int, text: str, phone: str) -> list[Any]:
    ingest_event(inbound(tenant_id, number_id, text=text, phone=phone))
    with session_scope() as s:
        message: Any = s.exec(
            Message.__table__.select().where(Message.body == text)  # type: ignore[attr-defined]
        ).one()
        conv = s.get(Conversation, message.conversation_id)
        assert conv is not None
        return [
            MessageAdded(tenant_id, conv.id or 0, message.id, number_id),
            ConversationChanged(
                tenant_id, conv.id or 0, number_id, conv.assignee_id, conv.department_id
            ),
        ]


def hub_with_tabs(users: list[CurrentUser], count: int) -> tuple[InboxHub, Pushes, FakeSockets]:
    pushes, sockets = Pushes(), FakeSockets()
    hub = InboxHub(LocalChannel(), pushes)
    for index in range(count):
        user = users[index % len(users)]
        hub.register(f"tab-{index}", user, "", frozenset())
    return hub, pushes, sockets


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.fixture(autouse=True)
def _every_tab_may_receive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions are checked by refused_tabs (tests/realtime/test_feed_access covers it); here
    every tab's session is taken as live, so the counts are about the fan-out alone."""
    real = hub_module.refused_tabs

    def none_refused(session: Any, *, tenant_id: int, tabs: Any) -> set[str]:
        real(session, tenant_id=tenant_id, tabs=[])  # the same query shape, for the query count
        return set()

    monkeypatch.setattr(hub_module, "refused_tabs", none_refused)


async def test_one_inbound_costs_the_same_queries_with_1_and_10_open_inboxes(
    pg: World, statements: list[str]
) -> None:
    a = pg.a
    counts = []
    for tabs, phone in ((1, "+5511911110001"), (10, "+5511911110002")):
        hub, pushes, sockets = hub_with_tabs([a.owner, a.agent_out], tabs)
        events = inbound_events(a.tenant_id, a.number_id, f"oi {tabs}", phone)
        statements.clear()
        await hub.handle(fake_app(sockets), events)
        await settle()
        counts.append(len(statements))
        assert {t for t, _u, _v in pushes.calls} == {f"tab-{i}" for i in range(tabs)}
    assert counts[0] == counts[1], counts


async def test_an_agent_outside_the_department_gets_no_row_of_it(pg: World) -> None:
    a = pg.a
    hub, pushes, sockets = hub_with_tabs([], 0)
    hub.register("in", a.agent_in, "", frozenset({a.department_id}))
    hub.register("out", a.agent_out, "", frozenset())
    events = inbound_events(a.tenant_id, a.number_id, "no departamento", "+5511911110003")
    conversation_id = events[0].conversation_id
    with session_scope() as s:
        conv = s.get(Conversation, conversation_id)
        assert conv is not None
        conv.department_id = a.department_id
        s.add(conv)
    await hub.handle(fake_app(sockets), events)
    await settle()
    for token, expected in (("in", True), ("out", False)):
        (update,) = pushes.to(token)
        viewer = next(v for t, _u, v in pushes.calls if t == token)
        view = merge_list(
            ListView([], "", 30), update.rows.conversations.values(), viewer, Filters()
        )
        assert any(row["id"] == str(conversation_id) for row in view.rows) is expected


async def test_a_disconnected_tab_has_its_queue_dropped_and_reloads_once_when_back(
    pg: World,
) -> None:
    a = pg.a
    hub, pushes, sockets = hub_with_tabs([a.owner], 1)
    app = fake_app(sockets)
    sockets.gone.add("tab-0")
    await hub.handle(app, inbound_events(a.tenant_id, a.number_id, "um", "+5511911110004"))
    await settle()
    assert pushes.to("tab-0") == []
    (tab,) = hub.tabs(a.tenant_id)
    assert tab.queue == [] and tab.away_since is not None and tab.task is not None
    assert tab.task.done(), "its task ends with the socket"
    await hub.handle(app, inbound_events(a.tenant_id, a.number_id, "dois", "+5511911110005"))
    await settle()
    assert pushes.to("tab-0") == [] and tab.queue == [], "nothing queues up while it is away"

    sockets.gone.clear()
    await hub.handle(app, inbound_events(a.tenant_id, a.number_id, "três", "+5511911110006"))
    await settle()
    await hub.handle(app, inbound_events(a.tenant_id, a.number_id, "quatro", "+5511911110007"))
    await settle()
    received = pushes.to("tab-0")
    assert [u.resync for u in received].count(True) == 1, "one reload, then plain updates"
    assert received[0].resync


async def test_a_tab_away_too_long_is_forgotten(pg: World, monkeypatch: pytest.MonkeyPatch) -> None:
    a = pg.a
    hub, _pushes, sockets = hub_with_tabs([a.owner], 1)
    app = fake_app(sockets)
    sockets.gone.add("tab-0")
    await hub.handle(app, inbound_events(a.tenant_id, a.number_id, "um", "+5511911110008"))
    await settle()
    monkeypatch.setattr(hub_module, "FORGET_AFTER_S", -1.0)
    await hub.handle(app, inbound_events(a.tenant_id, a.number_id, "dois", "+5511911110009"))
    assert hub.tabs(a.tenant_id) == []


async def test_a_department_change_refreshes_the_viewers_memberships_and_reloads_it_once(
    pg: World,
) -> None:
    from whatsapp_saas.realtime.events import MembershipChanged

    a = pg.a
    hub, pushes, sockets = hub_with_tabs([], 0)
    hub.register("out", a.agent_out, "", frozenset({a.department_id}))  # stale: she left
    hub.register("owner", a.owner, "", frozenset())
    await hub.handle(fake_app(sockets), [MembershipChanged(a.tenant_id, a.agent_out.user_id)])
    await settle()
    (tab,) = [t for t in hub.tabs(a.tenant_id) if t.token == "out"]
    assert tab.viewer.departments == frozenset()
    assert [u.resync for u in pushes.to("out")] == [True]
    assert pushes.to("owner") == []


async def test_updates_that_arrive_within_a_tabs_push_interval_go_in_one_push(
    pg: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fifty open inboxes must not cost fifty state updates per message: a tab pushed a
    moment ago gets what arrives next in one later push, with nothing lost or reordered."""
    a = pg.a
    # A long interval, so that a loaded machine still handles the three within one of them.
    monkeypatch.setattr(hub_module, "PUSH_BUDGET_S", 5.0)
    monkeypatch.setattr(hub_module, "PUSH_PAUSE_MAX_S", 2.0)
    hub, pushes, sockets = hub_with_tabs([a.owner], 1)
    app = fake_app(sockets)
    assert hub.push_interval() == pytest.approx(2.0), "capped however many tabs are open"
    for index, phone in enumerate(("+5511911110021", "+5511911110022", "+5511911110023")):
        await hub.handle(app, inbound_events(a.tenant_id, a.number_id, f"lote {index}", phone))
        await settle()
    await asyncio.sleep(2.3)
    assert [len(updates) for _t, updates, _v in pushes.calls] == [1, 2]
    assert [u.seq for u in pushes.to("tab-0")] == [1, 2, 3]
