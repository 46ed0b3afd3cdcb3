"""Running a "Webhook received" rule on its event, inside the durable runner's transaction.

The URL's request recorded a :class:`WebhookReceived` with the contact and conversation it
found or made (``hook_service.accept``); here the one rule it names is judged (its conditions)
and fired once under the run key ``rule:<id>:hook:<event id>``, or ``rule:<id>:hook:k<hash>``
when the caller sent an ``Idempotency-Key``: a retried request records a second event, which
finds that key taken and fires nothing. Like the other non-message triggers it is not an
answer to the customer's own message (opt-outs apply), and a person owning the conversation
pauses it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from whatsapp_saas.automations import effects, hooks
from whatsapp_saas.automations.engine import Outcome, _capped, _log, facts_for, fire
from whatsapp_saas.automations.events import WebhookReceived
from whatsapp_saas.automations.models import AutomationRule, RunStatus
from whatsapp_saas.automations.owner import Owner, last_human_message_at, owner_of
from whatsapp_saas.automations.rules import compile_rule
from whatsapp_saas.automations.settings import settings_for
from whatsapp_saas.automations.variables import values_for
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope


def handle_hook(
    scope: TenantScope, *, event_id: int, event: WebhookReceived, now: datetime | None = None
) -> Outcome:
    now = now or utcnow()
    rule = scope.session.get(AutomationRule, event.rule_id)
    if rule is None or rule.tenant_id != scope.tenant_id or not rule.enabled:
        return Outcome([], "no_rule")  # deleted or disabled since the request
    conversation = scope.session.get(Conversation, event.conversation_id)
    if conversation is None or conversation.tenant_id != scope.tenant_id:
        return Outcome([], "no_conversation")
    settings = settings_for(scope)
    event_name = hooks.EVENT_WEBHOOK
    last_human = last_human_message_at(scope, conversation_id=conversation.id or 0)
    if owner_of(conversation, settings.pause_minutes, now, last_human) is not Owner.FLOW:
        key = f"paused:hook:{event_id}"
        _log(scope, key, None, conversation, None, RunStatus.PAUSED, event=event_name)
        return Outcome([], "paused")
    contact = scope.get(Contact, conversation.contact_id)
    compiled = compile_rule(
        rule.id or 0, rule.name, rule.trigger, rule.conditions, rule.actions, stop_after=False
    )
    base = facts_for(
        scope,
        message=None,
        conversation=conversation,
        settings=settings,
        now=now,
        text=event.text,
        rules=[compiled],
        contact=contact,
    )
    verdict = compiled.judge(
        replace(base, event=hooks.TRIGGER_WEBHOOK, detail={"fields": dict(event.fields)})
    )
    if not verdict.fired:
        return Outcome([], verdict.reason)
    if _capped(scope, conversation, settings, now):
        key = f"cap:{conversation.id}:{now:%Y%m%d%H}"
        _log(scope, key, None, conversation, None, RunStatus.CAPPED, event=event_name)
        return Outcome([], "capped")
    values = {**values_for(scope, contact=contact), **hooks.variables(event.text, event.fields)}
    target = effects.Target(conversation, contact, rule.name, values, direct_reply=False)
    key = hooks.run_key(verdict.rule_id, event_id, event.dedupe)
    if not fire(
        scope,
        verdict=verdict,
        target=target,
        message_id=None,
        event_id=event_id,
        event=event_name,
        key=key,
    ):
        return Outcome([], "already_fired")
    return Outcome([verdict.rule_id])
