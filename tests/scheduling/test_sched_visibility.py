"""The Scheduling page sees what the inbox sees: an agent outside a department gets "not
found" for that department's schedules and follow-ups, and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sched_helpers import World, conversation_of, customer_writes

from whatsapp_saas.accounts.models import Role, User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Conversation, Department, DepartmentMember
from whatsapp_saas.scheduling.followups import cancel_follow_up, list_follow_ups, start_follow_up
from whatsapp_saas.scheduling.models import FollowUp, ScheduledMessage
from whatsapp_saas.scheduling.recurrence import utc_to_local
from whatsapp_saas.scheduling.schedules import (
    cancel_schedule,
    create_schedule,
    get_schedule,
    list_schedules,
    update_schedule,
)
from whatsapp_saas.tenancy.scope import NotFound
from whatsapp_saas.ui.scheduling import view


def _agent(world: World, email: str, department_id: int | None = None) -> CurrentUser:
    with session_scope() as session:
        user = User(
            tenant_id=world.tenant_id, email=email, name=email, password_hash="x",
            role=Role.AGENT.value,
        )  # fmt: skip
        session.add(user)
        session.flush()
        assert user.id is not None
        if department_id is not None:
            session.add(
                DepartmentMember(
                    tenant_id=world.tenant_id, department_id=department_id, user_id=user.id
                )
            )
        return CurrentUser(user.id, world.tenant_id, "Acme", email, email, "agent", "en", "UTC")


@pytest.fixture
def setup(world: World) -> tuple[World, CurrentUser, CurrentUser, int, int]:
    """Contact 1's conversation belongs to "Sales"; ``inside`` is in Sales, ``outside`` not.
    Returns the world, both agents, the Sales schedule's id and the follow-up's id."""
    customer_writes(world, "Oi")
    conversation = conversation_of(world, world.contact_ids[0])
    assert conversation is not None and conversation.id is not None
    with session_scope() as session:
        sales = Department(tenant_id=world.tenant_id, name="Sales")
        session.add(sales)
        session.flush()
        assert sales.id is not None
        row = session.get(Conversation, conversation.id)
        assert row is not None
        row.department_id = sales.id
        session.add(row)
        department_id = sales.id
    inside = _agent(world, "in@acme.io", department_id)
    outside = _agent(world, "out@acme.io")
    when = utc_to_local(datetime.now(UTC) + timedelta(hours=1), world.timezone)
    with session_scope() as session:
        scope = world.scope(session)
        schedule = create_schedule(
            scope, actor=world.owner, number_id=world.number_id, contact_id=world.contact_ids[0],
            when_local=when, text="Seu pedido chegou",
        )  # fmt: skip
        follow_up = start_follow_up(
            scope,
            actor=world.owner,
            conversation_id=conversation.id,
            steps=[{"delay_hours": 2, "text": "E aí?"}],
        )
        assert schedule.id is not None and follow_up.id is not None
        return world, inside, outside, schedule.id, follow_up.id


def _row(world: World, schedule_id: int) -> ScheduledMessage:
    with session_scope() as session:
        return world.scope(session).get(ScheduledMessage, schedule_id)


def test_an_agent_outside_the_department_cannot_read_edit_or_cancel(setup: tuple) -> None:
    world, _inside, outside, sid, _fid = setup
    before = _row(world, sid)
    later = utc_to_local(datetime.now(UTC) + timedelta(hours=3), world.timezone)
    with session_scope() as session:
        scope = world.scope(session)
        with pytest.raises(NotFound):
            get_schedule(scope, actor=outside, schedule_id=sid)
        with pytest.raises(NotFound):
            update_schedule(
                scope, actor=outside, schedule_id=sid, when_local=later, text="Reescrito"
            )
        with pytest.raises(NotFound):
            cancel_schedule(scope, actor=outside, schedule_id=sid)
        assert list_schedules(scope, actor=outside) == []
    after = _row(world, sid)
    assert (after.status, after.text, after.due_at) == (before.status, before.text, before.due_at)


def test_an_agent_outside_cannot_schedule_into_that_conversation(setup: tuple) -> None:
    world, _inside, outside, _sid, _fid = setup
    when = utc_to_local(datetime.now(UTC) + timedelta(hours=1), world.timezone)
    with session_scope() as session:
        scope = world.scope(session)
        with pytest.raises(NotFound):
            create_schedule(
                scope, actor=outside, number_id=world.number_id, contact_id=world.contact_ids[0],
                when_local=when, text="Oi",
            )  # fmt: skip
        # A contact nobody talks to yet is open to everyone.
        fresh = create_schedule(
            scope, actor=outside, number_id=world.number_id, contact_id=world.contact_ids[1],
            when_local=when, text="Oi",
        )  # fmt: skip
        assert [r.id for r in list_schedules(scope, actor=outside)] == [fresh.id]
    with session_scope() as session:
        assert world.scope(session).count(ScheduledMessage) == 2


def test_the_department_member_and_the_owner_can(setup: tuple) -> None:
    world, inside, _outside, sid, _fid = setup
    later = utc_to_local(datetime.now(UTC) + timedelta(hours=3), world.timezone)
    with session_scope() as session:
        scope = world.scope(session)
        assert [r.id for r in list_schedules(scope, actor=inside)] == [sid]
        update_schedule(scope, actor=inside, schedule_id=sid, when_local=later, text="Ajustado")
    assert _row(world, sid).text == "Ajustado"
    with session_scope() as session:
        cancel_schedule(world.scope(session), actor=world.owner, schedule_id=sid)
    assert _row(world, sid).status == "cancelled"


def test_lists_of_contacts_and_follow_ups_hide_the_department(setup: tuple) -> None:
    world, inside, outside, _sid, fid = setup
    hidden = str(world.contact_ids[0])
    with session_scope() as session:
        scope = world.scope(session)
        assert hidden not in {c["id"] for c in view.contacts(scope, outside)}
        assert hidden in {c["id"] for c in view.contacts(scope, inside)}
        assert list_follow_ups(scope, actor=outside) == []
        assert view.follow_ups(scope, outside) == []
        assert [f.id for f in list_follow_ups(scope, actor=inside)] == [fid]
        with pytest.raises(NotFound):
            cancel_follow_up(scope, actor=outside, follow_up_id=fid)
    with session_scope() as session:
        assert world.scope(session).get(FollowUp, fid).status == "pending"


def test_the_inbox_cancels_only_a_schedule_of_the_open_conversation(setup: tuple) -> None:
    world, _inside, _outside, sid, _fid = setup
    customer_writes(world, "Olá", phone="+5511988880002")
    elsewhere = conversation_of(world, world.contact_ids[1])
    assert elsewhere is not None and elsewhere.id is not None
    with session_scope() as session, pytest.raises(NotFound):
        cancel_schedule(
            world.scope(session), actor=world.owner, schedule_id=sid, in_conversation=elsewhere.id
        )
    assert _row(world, sid).status == "pending"
