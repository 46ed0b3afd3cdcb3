"""Reading the rule builder's form into the service's rule parts."""

from __future__ import annotations

from typing import Any

# Which field an error belongs to (shown under that field, named in the message).
FIELD_OF_ERROR = {
    "error.auto_name_required": "name",
    "error.auto_name_too_long": "name",
    "error.auto_trigger_invalid": "trigger",
    "error.auto_keyword_required": "keyword",
    "error.auto_keyword_too_long": "keyword",
    "error.auto_regex_invalid": "keyword",
    "error.auto_match_invalid": "match",
    "error.auto_condition_invalid": "condition",
    "error.auto_actions_required": "actions",
    "error.auto_actions_too_many": "actions",
    "error.auto_action_invalid": "actions",
    "error.auto_message_required": "actions",
    "error.auto_message_too_long": "actions",
    "error.auto_tag_required": "actions",
    "error.auto_tag_too_long": "actions",
    "error.auto_department_required": "actions",
}


def field(form: dict[str, Any], name: str) -> str:
    return str(form.get(name) or "").strip()


def actions_from(form: dict[str, Any], kinds: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "type": kind,
            "message": field(form, f"message_{i}"),
            "tag": field(form, f"tag_{i}"),
            "department_id": field(form, f"department_{i}"),
        }
        for i, kind in enumerate(kinds)
    ]


def rule_parts(
    form: dict[str, Any], trigger_type: str, actions: list[dict[str, Any]]
) -> dict[str, Any]:
    """name, trigger, conditions and actions; an unnamed rule is named after its trigger."""
    keyword = field(form, "keyword")
    if trigger_type == "keyword":
        trigger = {
            "type": "keyword",
            "match": field(form, "match") or "contains",
            "keyword": keyword,
        }
    else:
        trigger = {"type": trigger_type, "which": field(form, "which") or "any"}
    condition = field(form, "condition")
    name = field(form, "name") or keyword or trigger_type
    return {
        "name": name,
        "trigger": trigger,
        "conditions": [{"type": condition}] if condition else [],
        "actions": actions,
    }
