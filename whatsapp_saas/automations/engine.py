"""Running the rules on one stored inbound message: facts, verdicts, firings, the run log.

Each firing inserts its ``automation_runs`` row (unique idempotency key ``rule:<id>:msg:<id>``)
in a savepoint before any effect, in the same transaction as the effects: a second delivery of
the same event finds the key taken and fires nothing; a crash before commit leaves neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from whatsapp_saas.automations import effects
from whatsapp_saas.automations.hours import OpeningHours
from whatsapp_saas.automations.models import (
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
    prepare,
)
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.automations.variables import contact_values
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.models import Conversation, Direction, Message, SentBy
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope

EVENT_MESSAGE = "message_received"
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
    message: Message | None,
    conversation: Conversation | None,
    settings: AutomationSettings,
    now: datetime,
    *,
    text: str | None = None,
) -> Facts:
    """What the rules see; without a conversation (a dry run) it is a new contact's first."""
    hours = OpeningHours.of(settings)
    inside = None if hours is None else hours.is_open(now)
    body = text if text is not None else (message.body or message.caption or "") if message else ""
    if conversation is None:
        return Facts(prepare(body), True, True, inside)
    before = message.id if message is not None else None
    return Facts(
        prepare(body),
        first_from_contact=not _earlier_inbound(scope, conversation.contact_id, before),
        first_in_conversation=_new_conversation(scope, conversation, before, now),
        inside_hours=inside,
    )


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


def handle_inbound(
    scope: TenantScope,
    message_id: int,
    *,
    now: datetime | None = None,
    cache: RuleCache | None = None,
) -> Outcome:
    """Evaluate and fire the tenant's rules on one inbound message (idempotent)."""
    now = now or utcnow()
    message = scope.session.get(Message, message_id)
    if message is None or message.tenant_id != scope.tenant_id:
        return Outcome([], "missing")
    if message.direction != Direction.IN.value or message.is_internal_note:
        return Outcome([], "not_inbound")  # never our own or from-me messages
    settings = settings_for(scope)
    rules = cache.rules(scope) if cache is not None else compiled_rules(scope)
    if not rules and not settings.out_of_hours_enabled:
        return Outcome([], "no_rules")  # the common case costs three small queries
    conversation = scope.get(Conversation, message.conversation_id)
    last_human = last_human_message_at(scope, conversation.id or 0)
    if owner_of(conversation, settings.pause_minutes, now, last_human) is not Owner.FLOW:
        _log(scope, f"paused:msg:{message_id}", None, conversation, message_id, RunStatus.PAUSED)
        return Outcome([], "paused")
    contact = scope.get(Contact, conversation.contact_id)
    facts = facts_for(scope, message, conversation, settings, now)
    verdicts = firing(rules, facts)
    fired: list[int] = []
    for verdict in verdicts:
        if _capped(scope, conversation, settings, now):
            key = f"cap:{conversation.id}:{now:%Y%m%d%H}"
            _log(scope, key, None, conversation, message_id, RunStatus.CAPPED)
            return Outcome(fired, "capped")
        target = effects.Target(conversation, contact, verdict.name, contact_values(contact))
        if fire(scope, verdict, target, message_id):
            fired.append(verdict.rule_id)
    out_of_hours(scope, settings, conversation, contact, message_id, now)
    return Outcome(fired)


def fire(scope: TenantScope, verdict: Verdict, target: effects.Target, message_id: int) -> bool:
    """Claim the (rule, message) key, then run the actions; False if it had fired already."""
    key = f"rule:{verdict.rule_id}:msg:{message_id}"
    run = _log(scope, key, verdict, target.conversation, message_id, RunStatus.FIRED, rule_id=True)
    if run is None:
        return False
    results: list[dict[str, Any]] = []
    for action in verdict.actions:
        results.append(_perform(scope, target, action))
    run.results = results
    if any(not r["ok"] for r in results):
        run.status = RunStatus.ERROR.value
        run.error = "; ".join(str(r["detail"]) for r in results if not r["ok"])[:500]
    scope.session.add(run)
    scope.session.flush()
    return True


def _perform(scope: TenantScope, target: effects.Target, action: dict[str, Any]) -> dict[str, Any]:
    """One action in its own savepoint: a failure undoes that action only, and is logged."""
    try:
        with scope.session.begin_nested():
            return effects.perform(scope, target, action)
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
    settings: AutomationSettings,
    conversation: Conversation,
    contact: Contact,
    message_id: int,
    now: datetime,
) -> bool:
    """The out-of-hours reply: once per conversation per closed period, not after an agent."""
    hours = OpeningHours.of(settings)
    if not settings.out_of_hours_enabled or not settings.out_of_hours_message.strip():
        return False
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
    target = effects.Target(conversation, contact, name, contact_values(contact))
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
    conversation: Conversation,
    message_id: int,
    status: RunStatus,
    *,
    rule_id: bool = False,
    name: str = "",
) -> AutomationRun | None:
    """Insert a run row under a unique key; None if that key exists (already handled)."""
    run = AutomationRun(
        tenant_id=scope.tenant_id,
        idempotency_key=key,
        rule_id=verdict.rule_id if verdict is not None and rule_id else None,
        rule_name=verdict.name if verdict is not None else name,
        conversation_id=conversation.id,
        message_id=message_id,
        event=EVENT_MESSAGE,
        status=status.value,
    )
    try:
        with scope.session.begin_nested():
            scope.session.add(run)
            scope.session.flush()
    except IntegrityError:
        return None
    return run
