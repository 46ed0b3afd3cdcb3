"""Round-robin prefers the department's online members (an inbox open lately), and falls back
to all of them when nobody is online; presence is written at most once a minute per user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from auto_helpers import World, inbound

from whatsapp_saas.accounts.models import Role, User
from whatsapp_saas.automations.assign import pick_agent
from whatsapp_saas.automations.models import AgentPresence
from whatsapp_saas.automations.presence import ONLINE_WINDOW, PresenceRecorder, online
from whatsapp_saas.db import get_engine, session_scope
from whatsapp_saas.inbox.models import Conversation, Department, DepartmentMember
from whatsapp_saas.tenancy.scope import TenantScope

T0 = datetime(2030, 6, 5, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _team(world: World, size: int) -> tuple[int, list[int]]:
    """A department with ``size`` active agents (ids ascending)."""
    with session_scope() as session:
        dept = Department(tenant_id=world.tenant_id, name="Sales")
        session.add(dept)
        session.flush()
        ids = []
        for n in range(size):
            user = User(
                tenant_id=world.tenant_id,
                email=f"rr{n}@acme.io",
                name=f"Agent {n}",
                password_hash="x",
                role=Role.AGENT.value,
            )
            session.add(user)
            session.flush()
            assert dept.id is not None and user.id is not None
            session.add(
                DepartmentMember(tenant_id=world.tenant_id, department_id=dept.id, user_id=user.id)
            )
            ids.append(user.id)
        assert dept.id is not None
        return dept.id, ids


def _seen(world: World, recorder: PresenceRecorder, *user_ids: int) -> int:
    with session_scope() as session:
        return recorder.record(session, [(world.tenant_id, u) for u in user_ids])


def _pick(world: World, department_id: int, now: datetime) -> int | None:
    with session_scope() as session:
        return pick_agent(
            TenantScope(session, world.tenant_id),
            department_id=department_id,
            strategy="round_robin",
            now=now,
        )


def _give(world: World, department_id: int, user_id: int) -> None:
    """What the assign action does: the conversation goes to ``user_id`` in the department."""
    with session_scope() as session:
        conv = TenantScope(session, world.tenant_id).first(Conversation)
        assert conv is not None
        conv.assignee_id, conv.department_id = user_id, department_id
        session.add(conv)


def test_round_robin_among_the_online_members(world: World) -> None:
    department, (a, b, c) = _team(world, 3)
    clock = Clock(T0)
    recorder = PresenceRecorder(clock)
    _seen(world, recorder, b, c)
    assert _pick(world, department, T0) == b  # a is offline
    inbound(world, "oi", run=False)
    _give(world, department, b)
    assert _pick(world, department, T0) == c  # b just got one
    # Later: b and c went away, a opened the inbox.
    clock.now = T0 + ONLINE_WINDOW + timedelta(minutes=1)
    _seen(world, recorder, a)
    assert _pick(world, department, clock.now) == a


def test_nobody_online_falls_back_to_every_member(world: World) -> None:
    department, (a, _b) = _team(world, 2)
    recorder = PresenceRecorder(Clock(T0))
    _seen(world, recorder, a)
    late = T0 + ONLINE_WINDOW + timedelta(seconds=1)
    with session_scope() as session:
        assert online(TenantScope(session, world.tenant_id), user_ids=[a], now=late) == set()
    assert _pick(world, department, late) == a  # everyone again: the lowest newest-id first


def test_at_most_one_write_a_minute_per_user(world: World) -> None:
    _department, (a, b) = _team(world, 2)
    clock = Clock(T0)
    recorder = PresenceRecorder(clock)
    writes: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if "agent_presence" in sql and sql.lstrip().upper().startswith("INSERT"):
            writes.append(sql)

    engine = get_engine()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert _seen(world, recorder, a, b) == 2
        for seconds in (1, 20, 59):  # the hub's ticks and reconnects within the minute
            clock.now = T0 + timedelta(seconds=seconds)
            assert _seen(world, recorder, a, b) == 0
        clock.now = T0 + timedelta(minutes=1)
        assert _seen(world, recorder, a) == 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(writes) == 2  # one statement for both users, then one for a
    with session_scope() as session:
        rows = {
            r.user_id: r.last_seen_at
            for r in TenantScope(session, world.tenant_id).all(AgentPresence)
        }
    assert rows[a] == T0 + timedelta(minutes=1) and rows[b] == T0
