"""Rules on spine events other than messages: conversation, tag, field and deal changes.

:func:`handle_event` runs inside the durable runner's transaction like ``handle_inbound``:
each (rule, event) claims the run key ``rule:<id>:evt:<event id>`` before its effects, so a
redelivered event fires nothing twice. Contact-level events (a tag, a field, a deal) act on
the contact's newest conversation (the deal's own one when it has one); a contact without
any conversation has nowhere to answer, and is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col

from whatsapp_saas.automations import effects
from whatsapp_saas.automations.engine import (
    Outcome,
    RuleCache,
    _capped,
    _log,
    compiled_rules,
    facts_for,
    fire,
)
from whatsapp_saas.automations.facts import enrich
from whatsapp_saas.automations.models import AutomationSettings, RunStatus
from whatsapp_saas.automations.owner import Owner, last_human_message_at, owner_of
from whatsapp_saas.automations.rules import CompiledRule, Facts, firing, for_event
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.automations.variables import values_for
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

# Actions that only change the CRM or the inbox's routing are allowed while a person owns
# the conversation; sending is not (the owner rule), so a paused conversation fires none.


@dataclass(frozen=True, slots=True)
class Happening:
    """One spine event as the rules see it: which trigger kind, where, with what details."""

    event_id: int
    kind: str  # a rules.EVENT_TRIGGERS value
    contact_id: int | None = None
    conversation_id: int | None = None
    detail: Mapping[str, Any] | None = None


def handle_event(
    scope: TenantScope,
    *,
    happening: Happening,
    now: datetime | None = None,
    cache: RuleCache | None = None,
) -> Outcome:
    now = now or utcnow()
    rules = cache.rules(scope) if cache is not None else compiled_rules(scope)
    rules = for_event(rules, happening.kind)
    if not rules:
        return Outcome([], "no_rules")
    conversation = _conversation_of(scope, happening)
    if conversation is None:
        return Outcome([], "no_conversation")
    settings = settings_for(scope)
    last_human = last_human_message_at(scope, conversation_id=conversation.id or 0)
    if owner_of(conversation, settings.pause_minutes, now, last_human) is not Owner.FLOW:
        key = f"paused:evt:{happening.event_id}"
        _log(scope, key, None, conversation, None, RunStatus.PAUSED, event=happening.kind)
        return Outcome([], "paused")
    contact = scope.get(Contact, conversation.contact_id)
    base = facts_for(
        scope,
        message=None,
        conversation=conversation,
        settings=settings,
        now=now,
        text="",
        rules=rules,
        contact=contact,
    )
    facts = enrich(
        scope,
        base=base,
        contact=None,
        conversation=None,
        message=None,
        now=now,
        event=happening.kind,
        detail=happening.detail,
    )
    return _fire_all(scope, happening, rules, facts, conversation, contact, settings, now)


def _fire_all(
    scope: TenantScope,
    happening: Happening,
    rules: list[CompiledRule],
    facts: Facts,
    conversation: Conversation,
    contact: Contact,
    settings: AutomationSettings,
    now: datetime,
) -> Outcome:
    fired: list[int] = []
    for verdict in firing(rules, facts):
        if _capped(scope, conversation, settings, now):
            key = f"cap:{conversation.id}:{now:%Y%m%d%H}"
            _log(scope, key, None, conversation, None, RunStatus.CAPPED, event=happening.kind)
            return Outcome(fired, "capped")
        target = effects.Target(
            conversation,
            contact,
            verdict.name,
            values_for(scope, contact=contact),
            direct_reply=False,
        )
        if fire(
            scope,
            verdict=verdict,
            target=target,
            message_id=None,
            event_id=happening.event_id,
            event=happening.kind,
        ):
            fired.append(verdict.rule_id)
    return Outcome(fired)


def _conversation_of(scope: TenantScope, happening: Happening) -> Conversation | None:
    if happening.conversation_id is not None:
        found = scope.session.get(Conversation, happening.conversation_id)
        if found is not None and found.tenant_id == scope.tenant_id:
            return found
    if happening.contact_id is None:
        return None
    return scope.session.exec(
        scope.select(Conversation)
        .where(col(Conversation.contact_id) == happening.contact_id)
        .order_by(col(Conversation.last_message_at).desc(), col(Conversation.id).desc())
        .limit(1)
    ).first()
