"""A number's or a department's own business hours: department first, then number, then the
company; the hours condition, the out-of-hours reply and the dry run use them; another
tenant's ids are refused and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from auto_helpers import World, add_rule, automated, conversation, inbound, make_world, runs

from whatsapp_saas.automations import service
from whatsapp_saas.automations.engine import handle_inbound
from whatsapp_saas.automations.hours import COMPANY, DEPARTMENT, NUMBER, applied_hours
from whatsapp_saas.automations.models import HoursOverride
from whatsapp_saas.automations.settings import (
    HoursFor,
    clear_override,
    override_for,
    save_override,
    save_settings,
    settings_for,
)
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox.models import Conversation, Department
from whatsapp_saas.tenancy.scope import NotFound, TenantScope

WEEKDAYS = {str(d): ["09:00", "18:00"] for d in range(5)}
# Wednesday 2030-06-05 13:00 in São Paulo (UTC-3): the company is open.
WEDNESDAY_1PM = datetime(2030, 6, 5, 16, 0, tzinfo=UTC)


def _company_open(world: World, **extra: object) -> None:
    with session_scope() as session:
        save_settings(
            TenantScope(session, world.tenant_id),
            timezone="America/Sao_Paulo",
            weekly_hours=WEEKDAYS,
            **extra,
        )


def _department(world: World, name: str = "Sales") -> int:
    with session_scope() as session:
        row = Department(tenant_id=world.tenant_id, name=name)
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def _override(world: World, target: HoursFor, weekly: dict[str, list[str]]) -> None:
    with session_scope() as session:
        save_override(
            TenantScope(session, world.tenant_id),
            target=target,
            timezone="America/Sao_Paulo",
            weekly_hours=weekly,
            holidays=[],
        )


def _move_to(world: World, department_id: int) -> Conversation:
    c = conversation(world)
    with session_scope() as session:
        row = TenantScope(session, world.tenant_id).get(Conversation, c.id)
        row.department_id = department_id
        session.add(row)
    return conversation(world)


def _applied(world: World) -> tuple[str, bool | None]:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        row = scope.get(Conversation, conversation(world).id)
        applied = applied_hours(scope, settings=settings_for(scope), conversation=row)
        return applied.source, applied.is_open(WEDNESDAY_1PM)


def test_department_then_number_then_company(world: World) -> None:
    _company_open(world)
    inbound(world, "oi")
    assert _applied(world) == (COMPANY, True)
    # The number closes at noon: its conversations are out of hours at 13:00.
    _override(world, HoursFor(NUMBER, world.number_id), {"2": ["08:00", "12:00"]})
    assert _applied(world) == (NUMBER, False)
    sales = _department(world)
    _move_to(world, sales)
    assert _applied(world)[0] == NUMBER  # Sales has no hours of its own yet
    _override(world, HoursFor(DEPARTMENT, sales), {"2": ["12:00", "20:00"]})
    assert _applied(world) == (DEPARTMENT, True)
    with session_scope() as session:
        assert clear_override(
            TenantScope(session, world.tenant_id), target=HoursFor(DEPARTMENT, sales)
        )
    assert _applied(world) == (NUMBER, False)


def test_hours_condition_uses_the_numbers_hours(world: World) -> None:
    _company_open(world)
    _override(world, HoursFor(NUMBER, world.number_id), {"2": ["08:00", "12:00"]})
    add_rule(
        world,
        name="Closed",
        trigger={"type": "message_received"},
        conditions=[{"type": "outside_hours"}],
        actions=[{"type": "send_message", "message": "Fechado"}],
    )
    message_id = inbound(world, "oi", run=False)
    with session_scope() as session:
        outcome = handle_inbound(
            TenantScope(session, world.tenant_id), message_id=message_id, now=WEDNESDAY_1PM
        )
    assert outcome.fired and [m.body for m in automated(world)] == ["Fechado"]


def test_out_of_hours_reply_by_department_hours_once_per_closed_period(world: World) -> None:
    _company_open(world, out_of_hours_enabled=True, out_of_hours_message="Volte amanhã.")
    inbound(world, "first", run=False)
    support = _department(world, "Support")
    _move_to(world, support)
    _override(world, HoursFor(DEPARTMENT, support), {"2": ["08:00", "12:00"]})
    ids = [inbound(world, text, run=False) for text in ("a", "b")]
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        handle_inbound(scope, message_id=ids[0], now=WEDNESDAY_1PM)
        handle_inbound(scope, message_id=ids[1], now=WEDNESDAY_1PM + timedelta(hours=2))
    assert [m.body for m in automated(world)] == ["Volte amanhã."]
    assert [r.rule_name for r in runs(world)] == ["out_of_hours"]


def test_dry_run_says_which_hours_applied(world: World) -> None:
    _company_open(world)
    inbound(world, "oi")
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        assert service.dry_run_hours(scope, actor=world.owner) == (COMPANY, "")
        cid = conversation(world).id
        assert service.dry_run_hours(scope, actor=world.owner, conversation_id=cid) == (COMPANY, "")
    sales = _department(world)
    _move_to(world, sales)
    _override(world, HoursFor(DEPARTMENT, sales), WEEKDAYS)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        found = service.dry_run_hours(scope, actor=world.owner, conversation_id=cid)
        assert found == (DEPARTMENT, "Sales")
        with pytest.raises(PermissionDenied):
            service.dry_run_hours(scope, actor=world.agent, conversation_id=cid)


def test_foreign_ids_and_bad_input_change_nothing(world: World) -> None:
    other = make_world("Other")
    theirs = _department(other, "Theirs")
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        for target in (HoursFor(NUMBER, other.number_id), HoursFor(DEPARTMENT, theirs)):
            with pytest.raises(NotFound):
                save_override(scope, target=target, weekly_hours=WEEKDAYS)
            with pytest.raises(NotFound):
                clear_override(scope, target=target)
        with pytest.raises(UserError):
            HoursFor.parse("number:abc")
        with pytest.raises(UserError):
            HoursFor.parse("tenant:1")
        with pytest.raises(UserError):  # a day must open before it closes
            save_override(
                scope,
                target=HoursFor(NUMBER, world.number_id),
                weekly_hours={"0": ["18:00", "09:00"]},
            )
        with pytest.raises(ValueError):  # only the hours are a number's own
            save_override(scope, target=HoursFor(NUMBER, world.number_id), hourly_cap=1)
    with session_scope() as session:
        assert session.query(HoursOverride).count() == 0
    assert HoursFor.parse("department:7") == HoursFor(DEPARTMENT, 7)
    assert HoursFor.parse("company").key == "company"


def test_an_override_starts_from_the_company_time_zone(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        save_settings(scope, timezone="America/Manaus")
        row = save_override(scope, target=HoursFor(NUMBER, world.number_id), weekly_hours=WEEKDAYS)
        assert row.timezone == "America/Manaus"
        assert override_for(scope, target=HoursFor(NUMBER, world.number_id)) is not None
        assert override_for(scope, target=HoursFor()) is None
