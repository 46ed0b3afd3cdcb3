"""Time-based triggers: validation, the schedule's clock, and the scheduler's scan on
PostgreSQL with a fake clock (``scan_due(now)``, the scheduler's injected clock), each due
(rule, conversation, period) firing exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from auto_helpers import World, add_rule, automated, conversation, inbound, runs

from whatsapp_saas.automations import rules, timers
from whatsapp_saas.automations.timer_scan import scan_due
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Conversation, SentBy
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.outbound import queue_outbound
from whatsapp_saas.scheduling.scheduler import Scheduler, SchedulerConfig
from whatsapp_saas.tenancy.scope import TenantScope

SEND = [{"type": "send_message", "message": "Ainda está aí, {{contact.first_name}}?"}]


# --- validation and the schedule's clock (no database) ----------------------------------------


@pytest.mark.parametrize(
    ("trigger", "field"),
    [
        ({"type": "idle", "minutes": "0"}, "minutes"),
        ({"type": "no_agent_reply", "minutes": "abc"}, "minutes"),
        ({"type": "no_customer_reply", "minutes": str(timers.MAX_MINUTES + 1)}, "minutes"),
        ({"type": "schedule", "at": "25:00"}, "at"),
        ({"type": "schedule", "at": "9h"}, "at"),
        ({"type": "schedule", "at": "09:00", "days": "sundays"}, "days"),
    ],
)
def test_invalid_time_triggers_name_their_field(trigger: dict, field: str) -> None:
    with pytest.raises(UserError) as caught:
        rules.validate(name="r", trigger=trigger, conditions=[], actions=SEND)
    assert caught.value.params["field"] == field


def test_valid_time_triggers_are_cleaned() -> None:
    _, trigger, _, _ = rules.validate(
        name="r", trigger={"type": "idle", "minutes": " 30 "}, conditions=[], actions=SEND
    )
    assert trigger == {"type": "idle", "minutes": 30}
    _, trigger, _, _ = rules.validate(
        name="r", trigger={"type": "schedule", "at": "08:30"}, conditions=[], actions=SEND
    )
    assert trigger == {"type": "schedule", "at": "08:30", "days": "every_day"}


def test_time_rules_never_fire_on_a_message() -> None:
    rule = rules.compile_rule(1, "r", {"type": "idle", "minutes": 5}, [], SEND)
    facts = rules.Facts(rules.prepare("qualquer coisa"))
    assert rules.firing([rule], facts) == []
    (verdict,) = rules.evaluate([rule], facts)
    assert verdict.reason == "auto.why_timer"


def test_weekday_schedule_skips_the_weekend_and_keeps_wall_time_across_dst() -> None:
    trigger = {"type": "schedule", "at": "09:00", "days": "weekdays"}
    monday_early = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # 08:00 in New York (EDT)
    # The latest weekday 09:00 before Monday 08:00 is Friday 09:00 EST (before the change).
    assert timers.last_period(trigger, monday_early, "America/New_York") == datetime(
        2026, 3, 6, 14, 0, tzinfo=UTC
    )
    monday_late = datetime(2026, 3, 9, 13, 30, tzinfo=UTC)  # 09:30 EDT
    assert timers.last_period(trigger, monday_late, "America/New_York") == datetime(
        2026, 3, 9, 13, 0, tzinfo=UTC
    )
    daily = {"type": "schedule", "at": "09:00", "days": "every_day"}
    sunday = datetime(2026, 3, 8, 15, 0, tzinfo=UTC)
    assert timers.last_period(daily, sunday, "America/New_York").date().day == 8


# --- the scan on PostgreSQL, with a fake clock --------------------------------------------------


def _set_activity(world: World, *, last_message: datetime, last_inbound: datetime | None) -> None:
    with session_scope() as session:
        row = session.get(Conversation, conversation(world).id)
        assert row is not None
        row.last_message_at, row.last_inbound_at = last_message, last_inbound
        session.add(row)


def _agent_reply(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        row = scope.get(Conversation, conversation(world).id)
        queue_outbound(scope, conversation=row, text="Oi!", sent_by=SentBy.AGENT)


def test_no_customer_reply_fires_once_per_silence(world: World) -> None:
    inbound(world, "oi")
    add_rule(
        world, name="Nudge", trigger={"type": "no_customer_reply", "minutes": 30}, actions=SEND
    )
    start = utcnow()
    _set_activity(world, last_message=start, last_inbound=start - timedelta(minutes=1))
    assert scan_due(start + timedelta(minutes=29)) == 0
    assert scan_due(start + timedelta(minutes=31)) == 1
    assert scan_due(start + timedelta(minutes=32)) == 0  # the same silence
    assert scan_due(start + timedelta(hours=5)) == 0
    (reply,) = automated(world)
    assert reply.body == "Ainda está aí, Maria?" and reply.automation_rule == "Nudge"
    (run,) = runs(world)
    assert run.event == "timer" and run.status == "fired"
    # The customer answered: no longer "no customer reply".
    later = start + timedelta(hours=6)
    _set_activity(world, last_message=later, last_inbound=later)
    assert scan_due(later + timedelta(hours=1)) == 0
    # Our next message, unanswered again: a new period fires again.
    _set_activity(world, last_message=later + timedelta(hours=2), last_inbound=later)
    assert scan_due(later + timedelta(hours=3)) == 1


def test_no_agent_reply_fires_unless_a_person_answered(world: World) -> None:
    add_rule(
        world,
        name="Escalate",
        trigger={"type": "no_agent_reply", "minutes": 10},
        actions=[{"type": "add_note", "message": "Sem resposta há 10 min"}, *SEND],
    )
    inbound(world, "preciso de ajuda")
    at = utcnow()
    assert scan_due(at + timedelta(minutes=9)) == 0
    assert scan_due(at + timedelta(minutes=11)) == 1
    assert scan_due(at + timedelta(minutes=12)) == 0
    assert len(automated(world)) == 2  # the note and the message
    inbound(world, "alô?")
    _agent_reply(world)
    assert scan_due(utcnow() + timedelta(minutes=30)) == 0


def test_idle_skips_conversations_older_than_the_rule(world: World) -> None:
    inbound(world, "oi")
    old = utcnow() - timedelta(days=3)
    _set_activity(world, last_message=old, last_inbound=old)
    add_rule(world, name="Idle", trigger={"type": "idle", "minutes": 60}, actions=SEND)
    assert scan_due(utcnow() + timedelta(hours=2)) == 0  # idle since before the rule existed
    now = utcnow()
    _set_activity(world, last_message=now, last_inbound=now)
    assert scan_due(now + timedelta(minutes=61)) == 1
    assert scan_due(now + timedelta(minutes=90)) == 0


def test_disabled_rules_and_a_human_owner_fire_nothing(world: World) -> None:
    rule_id = add_rule(
        world, name="Off", trigger={"type": "no_agent_reply", "minutes": 5}, actions=SEND
    )
    from whatsapp_saas.automations import service
    from whatsapp_saas.automations.owner import set_owner

    with session_scope() as session:
        service.set_enabled(
            TenantScope(session, world.tenant_id), actor=world.owner, rule_id=rule_id, enabled=False
        )
    inbound(world, "oi")
    assert scan_due(utcnow() + timedelta(minutes=10)) == 0
    add_rule(world, name="On", trigger={"type": "no_agent_reply", "minutes": 5}, actions=SEND)
    inbound(world, "oi de novo")
    with session_scope() as session:
        set_owner(
            TenantScope(session, world.tenant_id),
            conversation_id=conversation(world).id or 0,
            kind="human",
        )
    assert scan_due(utcnow() + timedelta(minutes=10)) == 0
    assert automated(world) == []


def test_schedule_fires_once_per_instant_through_the_scheduler(world: World) -> None:
    inbound(world, "oi")
    add_rule(
        world, name="Daily", trigger={"type": "schedule", "at": "09:00"}, actions=SEND
    )  # the tenant's time zone: America/Sao_Paulo (UTC-3)
    tomorrow = (utcnow() + timedelta(days=1)).date()
    nine_local = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 12, 0, tzinfo=UTC)
    clock = [nine_local - timedelta(minutes=1)]
    scheduler = Scheduler(
        SchedulerConfig(use_lease=False, timers_every=0), clock=lambda: clock[0], timers=scan_due
    )

    def timers_fired() -> int:
        report = scheduler.run_once()
        assert report is not None
        return report.timers

    before = timers_fired()
    clock[0] = nine_local + timedelta(minutes=1)
    assert timers_fired() == 1
    clock[0] = nine_local + timedelta(hours=3)
    assert timers_fired() == 0
    clock[0] = nine_local + timedelta(days=1, minutes=5)
    assert timers_fired() == 1
    assert before <= 1  # today's 09:00 may already be past the rule's save time: not fired
    assert len(automated(world)) == 2 + before


def test_a_full_batch_resumes_where_it_stopped(world: World) -> None:
    from whatsapp_saas.automations.timer_scan import scan_rule, timer_rules

    for i in range(5):
        inbound(world, "oi", phone=f"+55119777700{i:02d}")
    add_rule(world, name="Idle", trigger={"type": "idle", "minutes": 1}, actions=SEND)
    now = utcnow()
    with session_scope() as session:
        for row in session.query(Conversation).filter_by(tenant_id=world.tenant_id):
            row.last_message_at = now
    later = now + timedelta(minutes=2)
    (rule,) = timer_rules()
    counts = []
    for _ in range(4):
        with session_scope() as session:
            counts.append(scan_rule(session, rule=rule, now=later, batch=2))
    assert counts == [2, 2, 1, 0]
    assert len(automated(world)) == 5


def test_the_scan_works_on_both_databases(sqlite_world: World) -> None:
    add_rule(
        sqlite_world, name="Wait", trigger={"type": "no_agent_reply", "minutes": 5}, actions=SEND
    )
    inbound(sqlite_world, "oi")
    at = utcnow()
    assert scan_due(at + timedelta(minutes=6)) == 1
    assert scan_due(at + timedelta(minutes=7)) == 0
    (reply,) = automated(sqlite_world)
    assert reply.automation_rule == "Wait"
