"""The scheduler's pass over the time-based rules: find what fell due, fire each once.

Called by the scheduler role with its clock (``Scheduler(timers=scan_due)``, wired in
bootstrap), so tests drive it with a fake ``now``. Each rule gets one bounded batch per pass in
its own transaction: a waiting rule (no reply, idle) reads, through an index on the
conversation's activity, only the conversations whose wait ended since its cursor
(``AutomationTimerState``); a schedule rule walks the tenant's open conversations once per
scheduled instant. A rule never reaches back before it was last saved or enabled, so turning a
rule on does not message every old conversation.

Exactly once: each firing first inserts its ``automation_runs`` row under the unique key
``timer:<rule>:conv:<conversation>:<due period>``, in the transaction of its effects; the
period is the anchor message's time (a waiting rule) or the scheduled instant. A pass killed
half way leaves neither, and the next pass finds the same conversations again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from whatsapp_saas.automations import effects
from whatsapp_saas.automations.hours import applied_hours
from whatsapp_saas.automations.models import AutomationRule, AutomationRun, RunStatus
from whatsapp_saas.automations.owner import Owner, effective_owner
from whatsapp_saas.automations.rules import CompiledRule, Facts, compile_rule
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.automations.timer_models import AutomationTimerState
from whatsapp_saas.automations.timers import (
    NO_AGENT_REPLY,
    NO_CUSTOMER_REPLY,
    SCHEDULE,
    TIMER_TRIGGERS,
    last_period,
    wait_of,
)
from whatsapp_saas.automations.variables import values_for
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    SentBy,
)
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.tenancy.scope import TenantScope

EVENT_TIMER = "timer"
BATCH = 100

_C: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
_M: sa.Table = Message.__table__  # type: ignore[attr-defined]
_R: sa.Table = AutomationRule.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class TimerRule:
    rule_id: int
    tenant_id: int
    trigger: dict[str, Any]
    saved_at: datetime
    compiled: CompiledRule


def scan_due(now: datetime, batch: int = BATCH) -> int:
    """One pass over every enabled timer rule; how many firings it made."""
    fired = 0
    for rule in timer_rules():
        with session_scope(write=True) as session:
            fired += scan_rule(session, rule=rule, now=now, batch=batch)
    return fired


def timer_rules() -> list[TimerRule]:
    """The enabled time-based rules of every tenant (a small table; one query)."""
    kind = _R.c.trigger["type"].as_string()
    query = select(AutomationRule).where(
        col(AutomationRule.enabled).is_(True), kind.in_(TIMER_TRIGGERS)
    )
    with session_scope() as session:
        rows = session.exec(query.order_by(col(AutomationRule.id))).all()
        return [_timer_rule(row) for row in rows]


def _timer_rule(row: AutomationRule) -> TimerRule:
    compiled = compile_rule(row.id or 0, row.name, row.trigger, row.conditions, row.actions)
    return TimerRule(
        row.id or 0, row.tenant_id, dict(row.trigger), as_utc(row.updated_at), compiled
    )


def scan_rule(session: Session, *, rule: TimerRule, now: datetime, batch: int = BATCH) -> int:
    scope = TenantScope(session, rule.tenant_id)
    state = session.get(AutomationTimerState, rule.rule_id) or AutomationTimerState(
        rule_id=rule.rule_id, tenant_id=rule.tenant_id
    )
    if rule.trigger["type"] == SCHEDULE:
        fired = _scheduled(scope, rule, state, now, batch)
    else:
        fired = _waited(scope, rule, state, now, batch)
    session.add(state)
    session.flush()
    return fired


# --- waiting rules: no customer reply, no agent reply, idle ----------------------------------


def _waited(
    scope: TenantScope, rule: TimerRule, state: AutomationTimerState, now: datetime, batch: int
) -> int:
    wait = wait_of(rule.trigger)
    kind = rule.trigger["type"]
    anchor = _C.c.last_inbound_at if kind == NO_AGENT_REPLY else _C.c.last_message_at
    floor = rule.saved_at - wait
    start, start_id = floor, 0
    if state.cursor_at is not None and as_utc(state.cursor_at) > floor:
        start, start_id = as_utc(state.cursor_at), state.cursor_id
    after = sa.or_(anchor > start, sa.and_(anchor == start, _C.c.id > start_id))
    query = (
        sa.select(_C.c.id, anchor)
        .where(_C.c.tenant_id == scope.tenant_id, _C.c.status == ConversationStatus.OPEN.value)
        .where(after, anchor <= now - wait, _kind_filter(kind))
        .where(_not_since_customer(rule.rule_id) if kind != NO_AGENT_REPLY else sa.true())
        .order_by(anchor, _C.c.id)
        .limit(batch)
    )
    fired = 0
    for conversation_id, at in scope.session.execute(query).all():
        at = as_utc(at)
        key = f"timer:{rule.rule_id}:conv:{conversation_id}:{int(at.timestamp() * 1000)}"
        fired += fire_timer(scope, rule=rule, conversation_id=conversation_id, key=key, now=now)
        state.cursor_at, state.cursor_id = at, conversation_id
    return fired


def _not_since_customer(rule_id: int) -> sa.ColumnElement[bool]:
    """Not fired on this conversation since the customer last wrote: the rule's own message
    moves the conversation's last activity, and would otherwise start the wait again."""
    runs: sa.Table = AutomationRun.__table__  # type: ignore[attr-defined]
    fired = (
        sa.select(runs.c.id)
        .where(runs.c.conversation_id == _C.c.id, runs.c.rule_id == rule_id)
        .where(sa.or_(_C.c.last_inbound_at.is_(None), runs.c.created_at > _C.c.last_inbound_at))
    )
    return ~sa.exists(fired)


def _kind_filter(kind: str) -> sa.ColumnElement[bool]:
    if kind == NO_CUSTOMER_REPLY:  # the last message is ours
        return sa.or_(_C.c.last_inbound_at.is_(None), _C.c.last_inbound_at < _C.c.last_message_at)
    if kind == NO_AGENT_REPLY:  # no person wrote after the customer's last message
        person = sa.or_(_M.c.sent_by == SentBy.AGENT.value, _M.c.sent_by.is_(None))
        replied = (
            sa.select(_M.c.id)
            .where(_M.c.conversation_id == _C.c.id, _M.c.direction == Direction.OUT.value)
            .where(_M.c.is_internal_note.is_(False), person)
            .where(_M.c.created_at > _C.c.last_inbound_at)
        )
        return sa.and_(_C.c.last_inbound_at.is_not(None), ~sa.exists(replied))
    return sa.true()


# --- schedule rules ----------------------------------------------------------------------------


def _scheduled(
    scope: TenantScope, rule: TimerRule, state: AutomationTimerState, now: datetime, batch: int
) -> int:
    period = last_period(rule.trigger, now, settings_for(scope).timezone)
    if period < rule.saved_at:
        return 0  # saved after this instant: the next one is the first
    if state.period_at is None or as_utc(state.period_at) != period:
        state.period_at, state.period_cursor_id, state.period_done = period, 0, False
    if state.period_done:
        return 0
    query = (
        sa.select(_C.c.id)
        .where(_C.c.tenant_id == scope.tenant_id, _C.c.status == ConversationStatus.OPEN.value)
        .where(_C.c.id > state.period_cursor_id)
        .order_by(_C.c.id)
        .limit(batch)
    )
    ids = list(scope.session.execute(query).scalars())
    fired = 0
    stamp = int(period.timestamp())
    for conversation_id in ids:
        key = f"timer:{rule.rule_id}:conv:{conversation_id}:at{stamp}"
        fired += fire_timer(scope, rule=rule, conversation_id=conversation_id, key=key, now=now)
        state.period_cursor_id = conversation_id
    state.period_done = len(ids) < batch
    return fired


# --- firing ------------------------------------------------------------------------------------


def fire_timer(
    scope: TenantScope, *, rule: TimerRule, conversation_id: int, key: str, now: datetime
) -> int:
    """Claim ``key`` and run the rule's actions (through effects.perform, as the engine does);
    1 if it fired now, 0 if a condition, the owner, the hourly cap or an earlier pass said no."""
    conversation = scope.get(Conversation, conversation_id)
    settings = settings_for(scope)
    inside = applied_hours(scope, settings=settings, conversation=conversation).is_open(now)
    if not _conditions_pass(rule.compiled, inside):
        return 0
    if effective_owner(scope, conversation=conversation, now=now) is not Owner.FLOW:
        return 0  # a person (or the AI) answers this conversation now
    if _capped(scope, conversation_id, settings.hourly_cap, now):
        return 0
    run = _claim(scope, key, rule, conversation_id)
    if run is None:
        return 0
    contact = scope.get(Contact, conversation.contact_id)
    # Not an answer to the customer's own message: opt-outs apply.
    target = effects.Target(
        conversation,
        contact,
        rule.compiled.name,
        values_for(scope, contact=contact),
        direct_reply=False,
    )
    run.results = [_perform(scope, target, action) for action in rule.compiled.actions]
    failed = [r for r in run.results if not r["ok"]]
    if failed:
        run.status = RunStatus.ERROR.value
        run.error = "; ".join(str(r["detail"]) for r in failed)[:500]
    scope.session.add(run)
    scope.session.flush()
    return 1


def _conditions_pass(rule: CompiledRule, inside: bool | None) -> bool:
    facts = Facts("", inside_hours=inside)
    return all(check(facts) is None for check in rule.checks[1:])  # [0] is the trigger


def _capped(scope: TenantScope, conversation_id: int, cap: int, now: datetime) -> bool:
    if cap <= 0:
        return False
    recent = scope.count(
        AutomationRun,
        AutomationRun.conversation_id == conversation_id,
        col(AutomationRun.rule_id).is_not(None),
        AutomationRun.created_at >= now - timedelta(hours=1),
    )
    return recent >= cap


def _claim(
    scope: TenantScope, key: str, rule: TimerRule, conversation_id: int
) -> AutomationRun | None:
    run = AutomationRun(
        tenant_id=scope.tenant_id,
        idempotency_key=key,
        rule_id=rule.rule_id,
        rule_name=rule.compiled.name,
        conversation_id=conversation_id,
        event=EVENT_TIMER,
        status=RunStatus.FIRED.value,
    )
    try:
        with scope.session.begin_nested():
            scope.session.add(run)
            scope.session.flush()
    except IntegrityError:
        return None
    return run


def _perform(scope: TenantScope, target: effects.Target, action: dict[str, Any]) -> dict[str, Any]:
    """One action in its own savepoint: a failure undoes that action only, and is logged."""
    try:
        with scope.session.begin_nested():
            return effects.perform(scope, target=target, action=action)
    except Exception as exc:
        scope.session.expire(target.conversation)
        return {"type": action.get("type"), "ok": False, "detail": f"{type(exc).__name__}: {exc}"}
