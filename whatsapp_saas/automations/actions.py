"""Validation of the newer rule actions, and the optional delay every action may carry.

No I/O: ids are checked against the tenant when the action runs (effects), where a foreign
id is a NotFound logged in the run, and a custom field value by ``crm.fields``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from whatsapp_saas.errors import UserError

ACTION_REMOVE_TAG = "remove_tag"
ACTION_SET_FIELD = "set_field"
ACTION_CREATE_DEAL = "create_deal"
ACTION_MOVE_DEAL = "move_deal"
ACTION_ASSIGN_AGENT = "assign_agent"
ACTION_START_FOLLOW_UP = "start_follow_up"
ACTION_STOP_FOLLOW_UP = "stop_follow_up"
ACTION_SNOOZE = "snooze"
ACTION_AI = "hand_to_ai"
ACTION_WEBHOOK = "webhook"
MORE_ACTIONS = (
    ACTION_REMOVE_TAG,
    ACTION_SET_FIELD,
    ACTION_CREATE_DEAL,
    ACTION_MOVE_DEAL,
    ACTION_ASSIGN_AGENT,
    ACTION_START_FOLLOW_UP,
    ACTION_STOP_FOLLOW_UP,
    ACTION_SNOOZE,
    ACTION_AI,
    ACTION_WEBHOOK,
)
STRATEGIES = ("round_robin", "least_busy")
DELAY_MAX = 60 * 24 * 30  # minutes: thirty days
SNOOZE_MAX = 60 * 24 * 90
TAG_MAX = 40
FIELD_VALUE_MAX = 500
TITLE_MAX = 200
URL_MAX = 500
SECRET_MAX = 200


def invalid(code: str, field: str) -> UserError:
    """The validation error every automation module raises (rules, conditions, menus, hooks):
    this module imports nothing of the package, so any of them may import it without a cycle."""
    return UserError(code, field=field)


def delay_of(raw: dict[str, Any]) -> int:
    """The action's "after N minutes" (0: now)."""
    value = str(raw.get("delay_minutes") or "").strip()
    if not value:
        return 0
    if not value.isdigit() or int(value) > DELAY_MAX:
        raise invalid("error.auto_delay_invalid", "delay")
    return int(value)


def _id(raw: dict[str, Any], name: str, field: str, *, required: bool = True) -> int | None:
    value = str(raw.get(name) or "").strip()
    if not value and not required:
        return None
    if not value.isdigit():
        raise invalid(f"error.auto_{field}_required", field)
    return int(value)


def validate_action(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """One cleaned action of :data:`MORE_ACTIONS`, or a UserError naming the field."""
    if kind == ACTION_REMOVE_TAG:
        tag = str(raw.get("tag") or "").strip()
        if not tag:
            raise invalid("error.auto_tag_required", "tag")
        if len(tag) > TAG_MAX:
            raise invalid("error.auto_tag_too_long", "tag")
        return {"type": kind, "tag": tag}
    if kind == ACTION_SET_FIELD:
        key = str(raw.get("key") or "").strip()
        value = str(raw.get("value") or "").strip()
        if not key:
            raise invalid("error.auto_field_key_required", "field_key")
        if len(value) > FIELD_VALUE_MAX:
            raise invalid("error.auto_field_value_too_long", "field_value")
        return {"type": kind, "key": key, "value": value}
    if kind == ACTION_CREATE_DEAL:
        title = str(raw.get("title") or "").strip()
        if len(title) > TITLE_MAX:
            raise invalid("error.auto_title_too_long", "deal_title")
        return {"type": kind, "stage_id": _id(raw, "stage_id", "stage"), "title": title}
    if kind == ACTION_MOVE_DEAL:
        return {"type": kind, "stage_id": _id(raw, "stage_id", "stage")}
    if kind == ACTION_ASSIGN_AGENT:
        strategy = str(raw.get("strategy") or "round_robin")
        if strategy not in STRATEGIES:
            raise invalid("error.auto_strategy_invalid", "strategy")
        department = _id(raw, "department_id", "department")
        return {"type": kind, "department_id": department, "strategy": strategy}
    if kind == ACTION_START_FOLLOW_UP:
        return {"type": kind, "follow_up_rule_id": _id(raw, "follow_up_rule_id", "follow_up")}
    if kind == ACTION_SNOOZE:
        return _snooze(raw)
    if kind == ACTION_WEBHOOK:
        return _webhook(raw)
    return {"type": kind}


def _snooze(raw: dict[str, Any]) -> dict[str, Any]:
    """Snooze for N minutes, or until an ISO time (the builder offers minutes)."""
    until = str(raw.get("until") or "").strip()
    if until:
        try:
            datetime.fromisoformat(until)
        except ValueError as exc:
            raise invalid("error.auto_until_invalid", "snooze") from exc
        return {"type": ACTION_SNOOZE, "until": until}
    minutes = str(raw.get("minutes") or "").strip()
    if not minutes.isdigit() or not 0 < int(minutes) <= SNOOZE_MAX:
        raise invalid("error.auto_minutes_invalid", "snooze")
    return {"type": ACTION_SNOOZE, "minutes": int(minutes)}


def _webhook(raw: dict[str, Any]) -> dict[str, Any]:
    url = str(raw.get("url") or "").strip()
    secret = str(raw.get("secret") or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > URL_MAX:
        raise invalid("error.auto_url_invalid", "url")
    if len(secret) > SECRET_MAX:
        raise invalid("error.auto_secret_required", "secret")
    # A blank secret keeps the saved one (the builder never shows it): the service seals a
    # typed one into the tenant's encrypted secrets and keeps only its reference.
    return {"type": ACTION_WEBHOOK, "url": url, "secret": secret}
