"""Running the rules on one stored inbound message: facts, verdicts, firings, the run log.

Each firing inserts its ``automation_runs`` row (unique idempotency key ``rule:<id>:msg:<id>``)
in a savepoint before any effect, in the same transaction as the effects: a second delivery of
the same event finds the key taken and fires nothing; a crash before commit leaves neither.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from whatsapp_saas.automations import effects, jobs, menu_engine
from whatsapp_saas.automations.botguard import bot_reason
from whatsapp_saas.automations.facts import enrich
from whatsapp_saas.automations.hours import applied_hours
from whatsapp_saas.automations.menus import AutomationMenu
from whatsapp_saas.automations.models import (
    AutomationJob,
    AutomationRule,
    AutomationRun,
    AutomationSettings,
    RunStatus,
)
from whatsapp_saas.automations.owner import Owner, last_human_message_at, owner_of
from whatsapp_saas.automations.rules import (
    CompiledRule,
    Facts,
    Verdict,
    compile_rule,
    firing,
    for_event,
    prepare,
)
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.automations.variables import values_for
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    SentBy,
)
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope

EVENT_MESSAGE = "message_received"
EVENT_OPENED = "conversation_opened"
EVENT_DELAYED = "delayed_action"  # a delayed action's own run (one skipped by a takeover)
NEW_CONVERSATION_GAP = timedelta(hours=24)  # a customer silent this long starts a new one


def compiled_rules(scope: TenantScope) -> list[CompiledRule]:
    rows = scope.all(AutomationRule, col(AutomationRule.enabled).is_(True))
    ordered = sorted(rows, key=lambda r: (r.priority, r.id or 0))
    return [
        compile_rule(r.id or 0, r.name, r.trigger, r.conditions, r.actions, stop_after=r.stop_after)
        for r in ordered
    ]


class RuleCache:
    """Compiled rules per tenant, recompiled only when the tenant's rules changed.

    The version is one indexed aggregate (count, newest change, newest id), so a handler
    judging a busy tenant's messages does not re-read and re-compile 200 rules each time.
    Owned by whoever registers the handler (no module-level state).
    """

    def __init__(self) -> None:
        self._by_tenant: dict[int, tuple[tuple[Any, ...], list[CompiledRule]]] = {}

    def rules(self, scope: TenantScope) -> list[CompiledRule]:
        t: sa.Table = AutomationRule.__table__  # type: ignore[attr-defined]
        query = sa.select(sa.func.count(), sa.func.max(t.c.updated_at), sa.func.max(t.c.id)).where(
            t.c.tenant_id == scope.tenant_id
        )
        version = tuple(scope.session.execute(query).one())
        cached = self._by_tenant.get(scope.tenant_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        compiled = compiled_rules(scope)
        self._by_tenant[scope.tenant_id] = (version, compiled)
        return compiled


def facts_for(
    scope: TenantScope,
    *,
    message: Message | None,
    conversation: Conversation | None,
    settings: AutomationSettings,
    now: datetime,
    text: str | None = None,
    rules: list[CompiledRule] | None = None,
    contact: Contact | None = None,
) -> Facts:
    """What the rules see; without a conversation (a dry run) it is a new contact's first.

    ``rules`` tells which segments to test (only those the rules name)."""
    inside = applied_hours(scope, settings=settings, conversation=conversation).is_open(now)
    body = text if text is not None else (message.body or message.caption or "") if message else ""
    if conversation is None:
        return Facts(prepare(body), True, True, inside, now=now)
    before = message.id if message is not None else None
    base = Facts(
        prepare(body),
        first_from_contact=not _earlier_inbound(scope, conversation.contact_id, before),
        first_in_conversation=_new_conversation(scope, conversation, before, now),
        inside_hours=inside,
    )
    if contact is None:
        contact = scope.get(Contact, conversation.contact_id)
    return enrich(
        scope,
        base=base,
        contact=contact,
        conversation=conversation,
        message=message,
        now=now,
        segments=segments_of(rules or []),
    )


def segments_of(rules: list[CompiledRule]) -> frozenset[int]:
    found: set[int] = set()
    for rule in rules:
        found |= rule.segments
    return frozenset(found)


def _inbound(scope: TenantScope, before: int | None) -> sa.Select[Any]:
    t: sa.Table = Message.__table__  # type: ignore[attr-defined]
    query = sa.select(t.c.created_at).where(
        t.c.tenant_id == scope.tenant_id,
        t.c.direction == Direction.IN.value,
        t.c.is_internal_note.is_(False),
    )
    return query.where(t.c.id < before) if before is not None else query


def _earlier_inbound(scope: TenantScope, contact_id: int, before: int | None) -> bool:
    t: sa.Table = Message.__table__  # type: ignore[attr-defined]
    c: sa.Table = Conversation.__table__  # type: ignore[attr-defined]
    mine = sa.select(c.c.id).where(c.c.tenant_id == scope.tenant_id, c.c.contact_id == contact_id)
    query = _inbound(scope, before).where(t.c.conversation_id.in_(mine)).limit(1)
    return scope.session.execute(query).first() is not None


def _new_conversation(
    scope: TenantScope, conversation: Conversation, before: int | None, now: datetime
) -> bool:
    """No earlier inbound message, or the last one came before a resolve or a long silence."""
    t: sa.Table = Message.__table__  # type: ignore[attr-defined]
    query = (
        _inbound(scope, before)
        .where(t.c.conversation_id == conversation.id)
        .order_by(t.c.id.desc())
        .limit(1)
    )
    previous = scope.session.execute(query).scalar()
    if previous is None:
        return True
    previous = as_utc(previous)
    resolved = conversation.resolved_at
    if resolved is not None and as_utc(resolved) >= previous:
        return True
    return now - previous >= NEW_CONVERSATION_GAP


@dataclass
class Outcome:
    """What handling one message did (tests and the bench read it)."""

    fired: list[int]
    skipped: str | None = None  # why nothing was evaluated


def is_automated(scope: TenantScope) -> bool:
    """Whether anything could act on a message: an enabled rule or menu, or an out-of-hours
    reply. One indexed query, so a tenant without automations pays almost nothing per message.
    (A menu session outlives neither its menu nor the menu's being enabled.)"""
    tenant = scope.tenant_id
    rule: sa.Table = AutomationRule.__table__  # type: ignore[attr-defined]
    menu: sa.Table = AutomationMenu.__table__  # type: ignore[attr-defined]
    hours: sa.Table = AutomationSettings.__table__  # type: ignore[attr-defined]
    query = sa.select(
        sa.or_(
            sa.exists().where(rule.c.tenant_id == tenant, rule.c.enabled.is_(True)),
            sa.exists().where(menu.c.tenant_id == tenant, menu.c.enabled.is_(True)),
            sa.exists().where(hours.c.tenant_id == tenant, hours.c.out_of_hours_enabled.is_(True)),
        )
    )
    return bool(scope.session.execute(query).scalar())


def handle_inbound(
    scope: TenantScope,
    *,
    message_id: int,
    now: datetime | None = None,
    cache: RuleCache | None = None,
) -> Outcome:
    """Evaluate and fire the tenant's rules on one inbound message (idempotent)."""
    now = now or utcnow()
    if not is_automated(scope):
        return Outcome([], "no_rules")  # most tenants: one small query per message
    message = scope.session.get(Message, message_id)
    if message is None or message.tenant_id != scope.tenant_id:
        return Outcome([], "missing")
    if message.direction != Direction.IN.value or message.is_internal_note:
        return Outcome([], "not_inbound")  # never our own or from-me messages
    menu = menu_engine.answer(
        scope, message=message, now=now
    )  # an active menu session answers first
    if menu is not None:
        return Outcome([], f"menu: {menu}")
    if menu_engine.auto_start(
        scope,
        message=message,
        now=now,
        is_new=lambda c: _new_conversation(scope, c, message.id, now),
    ):
        return Outcome([], "menu: started")
    settings = settings_for(scope)
    every = cache.rules(scope) if cache is not None else compiled_rules(scope)
    # "Conversation opened" rules hear ConversationOpened on the spine (ingest records it when
    # a customer's message creates or reopens one), not the message: they fire once.
    rules = for_event(every, EVENT_MESSAGE)
    if not rules and not settings.out_of_hours_enabled:
        return Outcome([], "no_rules")  # the common case costs three small queries
    conversation = scope.get(Conversation, message.conversation_id)
    last_human = last_human_message_at(scope, conversation_id=conversation.id or 0)
    if owner_of(conversation, settings.pause_minutes, now, last_human) is not Owner.FLOW:
        _log(scope, f"paused:msg:{message_id}", None, conversation, message_id, RunStatus.PAUSED)
        return Outcome([], "paused")
    contact = scope.get(Contact, conversation.contact_id)
    bot = bot_reason(scope, settings=settings, contact=contact, message=message, now=now)
    if bot is not None:
        run = _log(scope, f"bot:msg:{message_id}", None, conversation, message_id, RunStatus.BOT)
        if run is not None:
            run.error = bot
        return Outcome([], "bot")
    facts = facts_for(
        scope,
        message=message,
        conversation=conversation,
        settings=settings,
        now=now,
        rules=rules,
        contact=contact,
    )
    verdicts = firing(rules, facts)
    fired: list[int] = []
    for verdict in verdicts:
        if _capped(scope, conversation, settings, now):
            key = f"cap:{conversation.id}:{now:%Y%m%d%H}"
            _log(scope, key, None, conversation, message_id, RunStatus.CAPPED)
            return Outcome(fired, "capped")
        target = effects.Target(
            conversation, contact, verdict.name, values_for(scope, contact=contact)
        )
        if fire(scope, verdict=verdict, target=target, message_id=message_id):
            fired.append(verdict.rule_id)
    out_of_hours(
        scope,
        settings=settings,
        conversation=conversation,
        contact=contact,
        message_id=message_id,
        now=now,
    )
    return Outcome(fired)


def fire(
    scope: TenantScope,
    *,
    verdict: Verdict,
    target: effects.Target,
    message_id: int | None,
    event_id: int | None = None,
    event: str = EVENT_MESSAGE,
    key: str | None = None,
) -> bool:
    """Claim the (rule, message) key, or (rule, event) for the other triggers, or the
    caller's ``key`` (a webhook's), then run the actions; False if it had fired already."""
    if key is None:
        key = f"rule:{verdict.rule_id}:msg:{message_id}"
        if event_id is not None:
            key = f"rule:{verdict.rule_id}:evt:{event_id}"
    run = _log(
        scope,
        key,
        verdict,
        target.conversation,
        message_id,
        RunStatus.FIRED,
        rule_id=True,
        event=event,
    )
    if run is None:
        return False
    results: list[dict[str, Any]] = []
    for index, action in enumerate(verdict.actions):
        step = replace(target, key=f"{key}:a{index}")
        if action.get("delay_minutes"):
            results.append(_delay(scope, step, action))
        else:
            results.append(_perform(scope, step, action))
    run.results = results
    if any(not r["ok"] for r in results):
        run.status = RunStatus.ERROR.value
        run.error = "; ".join(str(r["detail"]) for r in results if not r["ok"])[:500]
    scope.session.add(run)
    scope.session.flush()
    return True


def _delay(scope: TenantScope, target: effects.Target, action: dict[str, Any]) -> dict[str, Any]:
    """ "After N minutes": a durable row the scheduler runs then (see automations.jobs)."""
    due = utcnow() + timedelta(minutes=int(action["delay_minutes"]))
    now_action = {k: v for k, v in action.items() if k != "delay_minutes"}
    job = jobs.schedule(
        scope,
        key=target.key,
        kind=jobs.KIND_ACTION,
        action=now_action,
        due_at=due,
        conversation_id=target.conversation.id,
        rule_name=target.rule_name,
    )
    detail = f"scheduled #{job.id if job else '?'} at {due.isoformat(timespec='minutes')}"
    return {"type": action.get("type"), "ok": True, "detail": detail}


# Delayed actions that answer the customer: they wait for the owner rule as immediate replies
# do. The others (tags, notes, routing, the snooze's wake-up) change only the CRM or the inbox
# and still run while a person answers.
REPLYING_ACTIONS = frozenset({"send_message", "send_menu"})


def run_job(scope: TenantScope, job: AutomationJob) -> str:
    """The scheduler's runner of a delayed action: the action, on the conversation now.

    A reply is skipped, with a "paused" run saying why, when a person took the conversation
    over since the rule fired (see :func:`taken_over`)."""
    conversation = scope.get(Conversation, job.conversation_id or 0)
    if job.action.get("type") in REPLYING_ACTIONS:
        reason = taken_over(scope, conversation=conversation, since=job.created_at, now=utcnow())
        if reason is None and _resolved_since(scope, conversation, job):
            reason = "the conversation was resolved since the rule fired"
        if reason is not None:
            return _skipped(scope, job, conversation, reason)
    contact = scope.get(Contact, conversation.contact_id)
    target = effects.Target(
        conversation,
        contact,
        job.rule_name,
        values_for(scope, contact=contact),
        direct_reply=False,  # later than the customer's message: opt-outs apply
        key=job.idempotency_key,
    )
    result = effects.perform(scope, target=target, action=job.action)
    return str(result["detail"])


def taken_over(
    scope: TenantScope, *, conversation: Conversation, since: datetime, now: datetime
) -> str | None:
    """Why a reply scheduled at ``since`` must not go now (None: it may).

    The owner rule immediate replies follow (a person or the AI owns the conversation now),
    and also a takeover since then that has lapsed (resolved, or idle past the pause): the
    attendant who replied or took it over handled what the delayed reply was for. Given back
    to the automations after that (the inbox's switch), the reply goes."""
    settings = settings_for(scope)
    last_human = last_human_message_at(scope, conversation_id=conversation.id or 0)
    owner = owner_of(conversation, settings.pause_minutes, now, last_human)
    if owner is not Owner.FLOW:
        return "a person took over" if owner is Owner.HUMAN else f"the owner is {owner.value}"
    kind = conversation.owner_kind or Owner.FLOW.value
    owned_at = as_utc(conversation.owner_since) if conversation.owner_since else None
    touched = [as_utc(last_human)] if last_human is not None else []
    if owned_at is not None and kind != Owner.FLOW.value:
        touched.append(owned_at)
    latest = max(touched, default=None)
    if latest is None or latest < as_utc(since):
        return None
    if kind == Owner.FLOW.value and owned_at is not None and owned_at >= latest:
        return None  # given back to the automations after the person's last word
    return "a person took over since the rule fired"


def _resolved_since(scope: TenantScope, conversation: Conversation, job: AutomationJob) -> bool:
    """Resolved (and still so) after the rule fired, by someone else than the rule: a rule
    that resolves and then sends a survey later means it."""
    resolved = conversation.resolved_at
    if conversation.status != ConversationStatus.RESOLVED.value or resolved is None:
        return False
    if as_utc(resolved) < as_utc(job.created_at):
        return False
    firing = scope.first(
        AutomationRun, AutomationRun.idempotency_key == job.idempotency_key.rpartition(":a")[0]
    )
    return firing is None or all(r.get("type") != "resolve" for r in firing.results)


def _skipped(
    scope: TenantScope, job: AutomationJob, conversation: Conversation, reason: str
) -> str:
    """Log the skipped reply as a "paused" run (no rule id: it counts for no hourly cap)."""
    detail = f"skipped: {reason}"
    run = _log(
        scope,
        f"paused:job:{job.id}",
        None,
        conversation,
        None,
        RunStatus.PAUSED,
        name=job.rule_name,
        event=EVENT_DELAYED,
    )
    if run is not None:
        run.results = [{"type": job.action.get("type"), "ok": True, "detail": detail}]
        scope.session.add(run)
        scope.session.flush()
    return detail


def _perform(scope: TenantScope, target: effects.Target, action: dict[str, Any]) -> dict[str, Any]:
    """One action in its own savepoint: a failure undoes that action only, and is logged."""
    try:
        with scope.session.begin_nested():
            return effects.perform(scope, target=target, action=action)
    except Exception as exc:
        scope.session.expire(target.conversation)
        return {"type": action.get("type"), "ok": False, "detail": f"{type(exc).__name__}: {exc}"}


def _capped(
    scope: TenantScope, conversation: Conversation, settings: AutomationSettings, now: datetime
) -> bool:
    if settings.hourly_cap <= 0:
        return False
    recent = scope.count(
        AutomationRun,
        AutomationRun.conversation_id == conversation.id,
        col(AutomationRun.rule_id).is_not(None),
        AutomationRun.created_at >= now - timedelta(hours=1),
    )
    return recent >= settings.hourly_cap


def out_of_hours(
    scope: TenantScope,
    *,
    settings: AutomationSettings,
    conversation: Conversation,
    contact: Contact,
    message_id: int,
    now: datetime,
) -> bool:
    """The out-of-hours reply: once per conversation per closed period, not after an agent.

    By the conversation's hours (its department's, its number's or the company's)."""
    if not settings.out_of_hours_enabled or not settings.out_of_hours_message.strip():
        return False
    hours = applied_hours(scope, settings=settings, conversation=conversation).hours
    if hours is None or hours.is_open(now):
        return False
    if _agent_replied(scope, conversation, now - timedelta(minutes=settings.agent_grace_minutes)):
        return False
    reopens = hours.next_open(now)
    key = f"ooh:{conversation.id}:{reopens.isoformat() if reopens else 'never'}"
    name = "out_of_hours"
    run = _log(scope, key, None, conversation, message_id, RunStatus.FIRED, name=name)
    if run is None:
        return False
    target = effects.Target(conversation, contact, name, values_for(scope, contact=contact))
    action = {"type": "send_message", "message": settings.out_of_hours_message}
    run.results = [_perform(scope, target, action)]
    scope.session.add(run)
    scope.session.flush()
    return True


def _agent_replied(scope: TenantScope, conversation: Conversation, since: datetime) -> bool:
    return (
        scope.first(
            Message,
            Message.conversation_id == conversation.id,
            Message.direction == Direction.OUT.value,
            Message.sent_by == SentBy.AGENT.value,
            col(Message.is_internal_note).is_(False),
            Message.created_at >= since,
        )
        is not None
    )


def _log(
    scope: TenantScope,
    key: str,
    verdict: Verdict | None,
    conversation: Conversation | None,
    message_id: int | None,
    status: RunStatus,
    *,
    rule_id: bool = False,
    name: str = "",
    event: str = EVENT_MESSAGE,
) -> AutomationRun | None:
    """Insert a run row under a unique key; None if that key exists (already handled)."""
    run = AutomationRun(
        tenant_id=scope.tenant_id,
        idempotency_key=key,
        rule_id=verdict.rule_id if verdict is not None and rule_id else None,
        rule_name=verdict.name if verdict is not None else name,
        conversation_id=conversation.id if conversation is not None else None,
        message_id=message_id,
        event=event[:40],
        status=status.value,
    )
    try:
        with scope.session.begin_nested():
            scope.session.add(run)
            scope.session.flush()
    except IntegrityError:
        return None
    return run


def scheduler_pass(session: Session, now: datetime) -> int:
    """The scheduler role's share: run the automation jobs due by ``now``."""
    return jobs.run_due(session, now=now, runner=run_job)
