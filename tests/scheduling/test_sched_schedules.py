"""Scheduled messages: create, edit, cancel, dispatch once, late, failures, isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sched_helpers import World, outbound

from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import MessageStatus
from whatsapp_saas.scheduling.dispatch_schedules import fire_due_schedules
from whatsapp_saas.scheduling.models import ScheduledMessage
from whatsapp_saas.scheduling.recurrence import utc_to_local
from whatsapp_saas.scheduling.schedules import (
    cancel_schedule,
    create_schedule,
    list_schedules,
    store_media,
    update_schedule,
)
from whatsapp_saas.tenancy.scope import NotFound

NOW = datetime.now(UTC)


@pytest.fixture(autouse=True)
def _fresh_now() -> None:
    """Each test's "now" (a module-level one goes stale over a long run)."""
    global NOW
    NOW = datetime.now(UTC)


def schedule(world: World, at: datetime, text: str | None = "Olá!", **extra: object) -> int:
    with session_scope() as session:
        row = create_schedule(
            world.scope(session),
            actor=world.owner,
            number_id=world.number_id,
            contact_id=world.contact_ids[0],
            when_local=utc_to_local(at, world.timezone),
            text=text,
            **extra,  # type: ignore[arg-type]
        )
        assert row.id is not None
        return row.id


def fire(at: datetime, late_after: float = 30.0) -> list:
    with session_scope() as session:
        return fire_due_schedules(session, now=at, late_after=late_after)


def get(world: World, schedule_id: int) -> ScheduledMessage:
    with session_scope() as session:
        return world.scope(session).get(ScheduledMessage, schedule_id)


def test_local_time_is_stored_as_utc_in_the_tenant_zone(world: World) -> None:
    with session_scope() as session:
        row = create_schedule(
            world.scope(session),
            actor=world.owner,
            number_id=world.number_id,
            contact_id=world.contact_ids[0],
            when_local=datetime(2030, 1, 15, 9, 0),
            text="Bom dia",
        )
    assert row.timezone == "America/Sao_Paulo"
    assert row.due_at == datetime(2030, 1, 15, 12, 0, tzinfo=UTC)  # UTC-3


def test_due_schedule_becomes_one_queued_message(world: World) -> None:
    sid = schedule(world, NOW + timedelta(minutes=5))
    assert fire(NOW) == []  # not yet due
    fired = fire(NOW + timedelta(minutes=5, seconds=1))
    assert len(fired) == 1 and not fired[0].late
    assert fire(NOW + timedelta(minutes=6)) == []  # never twice
    (message,) = outbound()
    assert message.status == MessageStatus.QUEUED.value and message.sent_by == "schedule"
    assert message.body == "Olá!" and message.wa_message_id
    row = get(world, sid)
    assert row.status == "sent" and row.message_id == message.id and row.conversation_id


def test_claimed_long_after_due_is_sent_once_and_marked_late(world: World) -> None:
    sid = schedule(world, NOW + timedelta(minutes=1))
    fired = fire(NOW + timedelta(hours=3), late_after=30)
    assert len(fired) == 1 and fired[0].late and fired[0].late_seconds > 3 * 3600 - 120
    assert get(world, sid).status == "late"
    assert len(outbound()) == 1


def test_edit_before_due_moves_it_and_cancel_stops_it(world: World) -> None:
    sid = schedule(world, NOW + timedelta(minutes=5))
    later = NOW + timedelta(hours=2)
    with session_scope() as session:
        update_schedule(
            world.scope(session),
            actor=world.owner,
            schedule_id=sid,
            when_local=utc_to_local(later, world.timezone),
            text="Novo texto",
        )
    assert fire(NOW + timedelta(minutes=10)) == []
    fire(later + timedelta(seconds=1))
    assert [m.body for m in outbound()] == ["Novo texto"]

    other = schedule(world, NOW + timedelta(minutes=5))
    with session_scope() as session:
        cancel_schedule(world.scope(session), actor=world.owner, schedule_id=other)
    assert fire(NOW + timedelta(hours=5)) == []
    assert get(world, other).status == "cancelled"


def test_sent_schedules_cannot_be_edited_or_cancelled(world: World) -> None:
    sid = schedule(world, NOW + timedelta(minutes=1))
    fire(NOW + timedelta(minutes=2))
    with session_scope() as session, pytest.raises(UserError) as err:
        cancel_schedule(world.scope(session), actor=world.owner, schedule_id=sid)
    assert err.value.code == "error.sched_not_pending"


def test_validation(world: World) -> None:
    with pytest.raises(UserError) as err:
        schedule(world, NOW - timedelta(hours=1))
    assert err.value.code == "error.sched_in_past"
    with pytest.raises(UserError) as err:
        schedule(world, NOW + timedelta(hours=1), text="  ")
    assert err.value.code == "error.sched_empty"
    with pytest.raises(UserError) as err:
        schedule(world, NOW + timedelta(hours=1), recurrence="hourly")
    assert err.value.code == "error.sched_recurrence_invalid"


def test_media_schedule_queues_an_attachment_with_caption(world: World) -> None:
    with session_scope() as session:
        media = store_media(
            world.scope(session), data=b"\x89PNG fake", mimetype="image/png", filename="promo.png"
        )
    schedule(world, NOW + timedelta(minutes=1), text="Veja", media=media)
    fire(NOW + timedelta(minutes=2))
    (message,) = outbound()
    assert message.type == "image" and message.caption == "Veja"
    assert message.media_storage_key == media.storage_key and message.media_status == "stored"


def test_unreachable_contact_fails_with_a_reason_and_others_still_go(world: World) -> None:
    from whatsapp_saas.contacts.models import Contact, ContactIdentity

    with session_scope() as session:
        scope = world.scope(session)
        ghost = scope.add(Contact(tenant_id=world.tenant_id, name="Sem número"))
        session.flush()
        assert ghost.id is not None and not scope.all(
            ContactIdentity, ContactIdentity.contact_id == ghost.id
        )
        bad = create_schedule(
            scope,
            actor=world.owner,
            number_id=world.number_id,
            contact_id=ghost.id,
            when_local=utc_to_local(NOW + timedelta(minutes=1), world.timezone),
            text="x",
        ).id
    assert bad is not None
    good = schedule(world, NOW + timedelta(minutes=1))
    fire(NOW + timedelta(minutes=1, seconds=5))
    assert get(world, bad).status == "failed"
    assert get(world, bad).failure_reason == "error.sched_contact_unreachable"
    assert get(world, good).status == "sent"


def test_another_tenant_cannot_see_or_touch_a_schedule(world: World, other: World) -> None:
    sid = schedule(world, NOW + timedelta(minutes=5))
    with session_scope() as session:
        scope = other.scope(session)
        assert list_schedules(scope, actor=other.owner) == []
        with pytest.raises(NotFound):
            cancel_schedule(scope, actor=other.owner, schedule_id=sid)
        with pytest.raises(NotFound):  # nor schedule to the other tenant's contact
            create_schedule(
                scope,
                actor=other.owner,
                number_id=other.number_id,
                contact_id=world.contact_ids[0],
                when_local=datetime(2031, 1, 1, 9),
                text="x",
            )
