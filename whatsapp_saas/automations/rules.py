"""What a rule is: validating the builder's JSON, and compiling it into fast matchers.

No I/O here. :func:`validate` raises a :class:`UserError` whose ``field`` param names the
form field in error; :func:`compile_rule` turns a stored rule into plain callables so that
evaluating 200 rules on one message costs microseconds (the text is folded once, not per rule).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from whatsapp_saas.automations import actions as actions_mod
from whatsapp_saas.automations import conditions as conditions_mod
from whatsapp_saas.automations import hooks, timers
from whatsapp_saas.automations.actions import TAG_MAX, invalid
from whatsapp_saas.text_fold import fold

TRIGGER_KEYWORD = "keyword"
TRIGGER_MESSAGE = "message_received"
MESSAGE_TRIGGERS = (TRIGGER_KEYWORD, TRIGGER_MESSAGE)
# Triggers on other spine events (automations.handlers maps each event to one of these).
CONVERSATION_TRIGGERS = (
    "conversation_opened",
    "conversation_assigned",
    "conversation_transferred",
    "conversation_resolved",
    "conversation_reopened",
)
TRIGGER_TAG_ADDED = "tag_added"
TRIGGER_TAG_REMOVED = "tag_removed"
TRIGGER_FIELD = "field_changed"
TRIGGER_DEAL_STAGE = "deal_stage_changed"
DEAL_OUTCOMES = ("won", "lost")
EVENT_TRIGGERS = (
    *CONVERSATION_TRIGGERS,
    TRIGGER_TAG_ADDED,
    TRIGGER_TAG_REMOVED,
    TRIGGER_FIELD,
    TRIGGER_DEAL_STAGE,
)
TRIGGERS = (*MESSAGE_TRIGGERS, *EVENT_TRIGGERS)
MATCHES = ("contains", "equals", "starts_with", "regex")
RECEIVED = ("any", "new_contact", "new_conversation")
CONDITIONS = conditions_mod.LEAVES
ACTION_SEND = "send_message"
ACTION_TAG = "add_tag"
ACTION_DEPARTMENT = "assign_department"
ACTION_HUMAN = "hand_to_human"
ACTION_NOTE = "add_note"
ACTION_RESOLVE = "resolve"
ACTION_MENU = "send_menu"  # start a numbered menu (automations.menus) and wait for the answer
ACTIONS = (
    ACTION_SEND,
    ACTION_TAG,
    ACTION_DEPARTMENT,
    ACTION_HUMAN,
    ACTION_NOTE,
    ACTION_RESOLVE,
    ACTION_MENU,
    *actions_mod.MORE_ACTIONS,
)
MAX_ACTIONS = 10
TEXT_MAX = 4096
CAPTION_MAX = 1024  # WhatsApp's limit for a file's caption
NAME_MAX = 120
KEYWORD_MAX = 200


def validate(
    *,
    name: str,
    trigger: dict[str, Any],
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
) -> tuple[str, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The cleaned rule parts, or a UserError naming the field in error."""
    clean_name = name.strip()
    if not clean_name:
        raise invalid("error.auto_name_required", "name")
    if len(clean_name) > NAME_MAX:
        raise invalid("error.auto_name_too_long", "name")
    return (
        clean_name,
        _trigger(trigger),
        [_condition(c) for c in conditions],
        _actions(actions),
    )


def _trigger(raw: dict[str, Any]) -> dict[str, Any]:
    kind = str(raw.get("type") or "")
    if kind in timers.TIMER_TRIGGERS:  # time-based: validated by the timers module
        return timers.validate_trigger(raw)
    if kind == hooks.TRIGGER_WEBHOOK:  # an inbound URL: validated by the hooks module
        return hooks.validate_trigger(raw)
    if kind not in TRIGGERS:
        raise invalid("error.auto_trigger_invalid", "trigger")
    if kind in EVENT_TRIGGERS:
        return _event_trigger(kind, raw)
    if kind == TRIGGER_MESSAGE:
        which = str(raw.get("which") or "any")
        if which not in RECEIVED:
            raise invalid("error.auto_trigger_invalid", "which")
        return {"type": kind, "which": which}
    keyword = str(raw.get("keyword") or "").strip()
    match = str(raw.get("match") or "contains")
    if not keyword:
        raise invalid("error.auto_keyword_required", "keyword")
    if len(keyword) > KEYWORD_MAX:
        raise invalid("error.auto_keyword_too_long", "keyword")
    if match not in MATCHES:
        raise invalid("error.auto_match_invalid", "match")
    if match == "regex":
        try:
            re.compile(fold(keyword))
        except re.error as exc:
            raise invalid("error.auto_regex_invalid", "keyword") from exc
    return {"type": kind, "match": match, "keyword": keyword}


def _event_trigger(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """An event trigger and its optional filters (a tag name, a field key, pipeline/stage)."""
    clean: dict[str, Any] = {"type": kind}
    if kind in (TRIGGER_TAG_ADDED, TRIGGER_TAG_REMOVED):
        tag = str(raw.get("tag") or "").strip()
        if len(tag) > TAG_MAX:
            raise invalid("error.auto_tag_too_long", "trigger_tag")
        if tag:
            clean["tag"] = tag
    elif kind == TRIGGER_FIELD:
        key = str(raw.get("field") or "").strip()
        if len(key) > NAME_MAX:
            raise invalid("error.auto_field_key_invalid", "trigger_field")
        if key:
            clean["field"] = key
    elif kind == TRIGGER_DEAL_STAGE:
        for name in ("pipeline_id", "stage_id"):
            value = str(raw.get(name) or "").strip()
            if value and not value.isdigit():
                raise invalid("error.auto_id_invalid", f"trigger_{name}")
            if value:
                clean[name] = int(value)
        outcome = str(raw.get("outcome") or raw.get("stage") or "").strip()
        if outcome and outcome not in DEAL_OUTCOMES:
            raise invalid("error.auto_id_invalid", "trigger_outcome")
        if outcome:
            clean["outcome"] = outcome  # any stage marked won (or lost), in any pipeline
    return clean


def _condition(raw: dict[str, Any]) -> dict[str, Any]:
    return conditions_mod.validate_condition(raw)


def _actions(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not raw:
        raise invalid("error.auto_actions_required", "action")
    if len(raw) > MAX_ACTIONS:
        raise invalid("error.auto_actions_too_many", "action")
    return [_action(item) for item in raw]


def _action(raw: dict[str, Any]) -> dict[str, Any]:
    clean = _action_body(raw)
    delay = actions_mod.delay_of(raw)
    if delay:
        clean["delay_minutes"] = delay
    return clean


def _action_body(raw: dict[str, Any]) -> dict[str, Any]:
    kind = str(raw.get("type") or "")
    if kind not in ACTIONS:
        raise invalid("error.auto_action_invalid", "action")
    if kind in actions_mod.MORE_ACTIONS:
        return actions_mod.validate_action(kind, raw)
    if kind in (ACTION_SEND, ACTION_NOTE):
        return _message_action(kind, raw)
    if kind == ACTION_TAG:
        tag = str(raw.get("tag") or "").strip()
        if not tag:
            raise invalid("error.auto_tag_required", "tag")
        if len(tag) > TAG_MAX:
            raise invalid("error.auto_tag_too_long", "tag")
        return {"type": kind, "tag": tag}
    if kind == ACTION_MENU:
        menu = str(raw.get("menu_id") or "")
        if not menu.isdigit():
            raise invalid("error.auto_menu_required", "menu")
        return {"type": kind, "menu_id": int(menu)}
    if kind == ACTION_DEPARTMENT or (kind == ACTION_HUMAN and raw.get("department_id")):
        value = str(raw.get("department_id") or "")
        if not value.isdigit():
            raise invalid("error.auto_department_required", "department")
        return {"type": kind, "department_id": int(value)}
    return {"type": kind}


def _message_action(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """A message, or (to send) a file from the tenant's library with an optional caption."""
    text = str(raw.get("message") or "").strip()
    media = str(raw.get("media_id") or "").strip() if kind == ACTION_SEND else ""
    if media and not media.isdigit():
        raise invalid("error.auto_media_invalid", "media")
    if not text and not media:
        raise invalid("error.auto_message_required", "message")
    limit = CAPTION_MAX if media else TEXT_MAX
    if len(text) > limit:
        raise invalid("error.auto_message_too_long", "message")
    return {"type": kind, "message": text, **({"media_id": int(media)} if media else {})}


# --- evaluation -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Facts:
    """What rules look at, computed once per message (``folded_text``: see :func:`prepare`)."""

    folded_text: str
    first_from_contact: bool = False
    first_in_conversation: bool = False
    inside_hours: bool | None = None  # None: the tenant set no business hours
    # What the newer triggers and conditions look at (engine.facts_for loads them once).
    event: str = TRIGGER_MESSAGE  # the trigger kind this event is (see EVENT_TRIGGERS)
    detail: Mapping[str, Any] = field(default_factory=dict)  # tag, field, pipeline/stage ids
    phone: str = ""
    tags: frozenset[str] = frozenset()  # folded tag names
    fields: Mapping[str, Any] = field(default_factory=dict)
    segments: frozenset[int] = frozenset()  # of the segments the rules name, those it is in
    now: datetime | None = None
    contact_created_at: datetime | None = None
    conversation_created_at: datetime | None = None
    status: str = ""
    assignee_id: int | None = None
    department_id: int | None = None
    number_id: int | None = None  # the business's WhatsApp number the conversation is on
    owner_kind: str = "flow"
    message_kind: str = "text"  # text, media or voice


def prepare(text: str | None) -> str:
    """The text as every keyword test expects it: folded once, outer spaces removed."""
    return fold(text).strip()


@dataclass(frozen=True, slots=True)
class Verdict:
    rule_id: int
    name: str
    fired: bool
    reason: str  # an i18n key: why it fired or which condition failed
    actions: tuple[dict[str, Any], ...]


Check = Callable[[Facts], str | None]  # None: passed; otherwise the reason it failed


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule_id: int
    name: str
    stop_after: bool
    checks: tuple[Check, ...]
    actions: tuple[dict[str, Any], ...]
    # A keyword rule without conditions: one call on the folded text (the hot path).
    quick: Callable[[str], bool] | None = None
    kind: str = TRIGGER_KEYWORD  # the trigger's type: the engine picks rules by event
    segments: frozenset[int] = frozenset()  # the segment ids its conditions test

    def judge(self, facts: Facts) -> Verdict:
        for check in self.checks:
            reason = check(facts)
            if reason is not None:
                return Verdict(self.rule_id, self.name, False, reason, self.actions)
        return Verdict(self.rule_id, self.name, True, "auto.why_matched", self.actions)


def compile_rule(
    rule_id: int,
    name: str,
    trigger: dict[str, Any],
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    *,
    stop_after: bool = False,
) -> CompiledRule:
    checks = (_compile_trigger(trigger), *(_compile_condition(c) for c in conditions))
    quick = None
    kind = str(trigger.get("type") or TRIGGER_KEYWORD)
    if kind == TRIGGER_KEYWORD and not conditions:
        quick = _text_test(trigger)
    segments = conditions_mod.segments_named(conditions)
    return CompiledRule(rule_id, name, stop_after, checks, tuple(actions), quick, kind, segments)


def _compile_trigger(trigger: dict[str, Any]) -> Check:
    if trigger.get("type") in EVENT_TRIGGERS:
        return _event_check(trigger)
    if timers.is_timer(trigger):  # fired by the scheduler's timer scan, never by a message
        return lambda facts: "auto.why_timer"
    if trigger.get("type") == hooks.TRIGGER_WEBHOOK:  # fired by its URL (hook_engine) only
        return lambda facts: None if facts.event == hooks.TRIGGER_WEBHOOK else "auto.why_webhook"
    if trigger.get("type") == TRIGGER_MESSAGE:
        return _received(str(trigger.get("which") or "any"))
    test = _text_test(trigger)

    def check(facts: Facts) -> str | None:
        return None if test(facts.folded_text) else "auto.why_keyword"

    return check


def _text_test(trigger: dict[str, Any]) -> Callable[[str], bool]:
    """A test on the folded, stripped text (Facts.folded_text is both)."""
    keyword = fold(str(trigger.get("keyword") or "")).strip()
    match = trigger.get("match") or "contains"
    if not keyword:
        return lambda text: False
    if match == "equals":
        return keyword.__eq__
    if match == "starts_with":
        return lambda text: text.startswith(keyword)
    if match == "regex":
        search = re.compile(keyword).search
        return lambda text: search(text) is not None
    return lambda text: keyword in text


def _received(which: str) -> Check:
    def check(facts: Facts) -> str | None:
        if which == "new_contact" and not facts.first_from_contact:
            return "auto.why_not_new_contact"
        if which == "new_conversation" and not facts.first_in_conversation:
            return "auto.why_not_new_conversation"
        return None

    return check


def _event_check(trigger: dict[str, Any]) -> Check:
    """The event is this trigger's kind, and matches its filters (each optional)."""
    kind = trigger["type"]
    wanted = {k: v for k, v in trigger.items() if k != "type"}
    if "tag" in wanted:
        wanted["tag"] = fold(str(wanted["tag"])).strip()

    def check(facts: Facts) -> str | None:
        if facts.event != kind:
            return "auto.why_other_event"
        for key, value in wanted.items():
            if facts.detail.get(key) != value:
                return "auto.why_event_filter"
        return None

    return check


def _compile_condition(condition: dict[str, Any]) -> Check:
    return conditions_mod.compile_condition(condition)


def for_event(rules: list[CompiledRule], kind: str) -> list[CompiledRule]:
    """The rules an event of ``kind`` runs: message triggers for messages, else that kind."""
    if kind == TRIGGER_MESSAGE:
        return [r for r in rules if r.kind in MESSAGE_TRIGGERS]
    return [r for r in rules if r.kind == kind]


def firing(rules: list[CompiledRule], facts: Facts) -> list[Verdict]:
    """Only the rules that fire, in order (the engine's hot path: no verdicts for the rest)."""
    fired: list[Verdict] = []
    text = facts.folded_text
    for rule in rules:
        quick = rule.quick
        if quick is not None:
            if not quick(text):
                continue
        elif not all(check(facts) is None for check in rule.checks):
            continue
        fired.append(Verdict(rule.rule_id, rule.name, True, "auto.why_matched", rule.actions))
        if rule.stop_after:
            break
    return fired


def evaluate(rules: list[CompiledRule], facts: Facts) -> list[Verdict]:
    """Every rule's verdict in priority order; after a firing ``stop_after`` rule the rest
    are reported as not run."""
    verdicts: list[Verdict] = []
    stopped = False
    for rule in rules:
        if stopped:
            verdicts.append(
                Verdict(rule.rule_id, rule.name, False, "auto.why_stopped", rule.actions)
            )
            continue
        verdict = rule.judge(facts)
        verdicts.append(verdict)
        stopped = verdict.fired and rule.stop_after
    return verdicts
