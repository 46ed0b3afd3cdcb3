"""Reading the rule builder's form into the service's rule parts, and back.

The conditions editor is one level of grouping: rows at the top level combined by "all"
(AND) or "any" (OR), each optionally negated (NOT), and rows put in group A, which counts as
one more top-level item with its own all/any. :func:`conditions_from` builds the JSON tree
the engine compiles; :func:`condition_rows` reads a stored tree back into rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from whatsapp_saas.automations.hooks import TRIGGER_WEBHOOK
from whatsapp_saas.automations.timers import TIMER_TRIGGERS, WEEK
from whatsapp_saas.errors import UserError

# Which section an error belongs to (shown under it; the message names the exact field).
_SECTIONS = {
    "name": ("error.auto_name_required", "error.auto_name_too_long"),
    "trigger": ("error.auto_trigger_invalid", "error.auto_field_key_invalid",
                "error.auto_id_invalid"),
    "hook_number": ("error.auto_hook_number_invalid",),  # under the webhook's number
    "keyword": ("error.auto_keyword_required", "error.auto_keyword_too_long",
                "error.auto_regex_invalid"),
    "match": ("error.auto_match_invalid",),
    "conditions": (
        "error.auto_condition_invalid", "error.auto_condition_too_deep",
        "error.auto_group_empty", "error.auto_phone_required", "error.auto_segment_required",
        "error.auto_op_invalid", "error.auto_minutes_invalid",
        "error.auto_condition_value_invalid", "error.auto_condition_value_required",
        "error.auto_condition_value_too_long", "error.auto_number_required",
        "error.auto_field_key_required", "error.auto_whatsapp_number_required",
    ),
    "actions": (
        "error.auto_actions_required", "error.auto_actions_too_many", "error.auto_action_invalid",
        "error.auto_message_required", "error.auto_message_too_long", "error.auto_tag_required",
        "error.auto_tag_too_long", "error.auto_department_required",
        "error.auto_field_value_too_long", "error.auto_delay_invalid",
        "error.auto_stage_required", "error.auto_title_too_long", "error.auto_strategy_invalid",
        "error.auto_follow_up_required", "error.auto_until_invalid", "error.auto_until_past",
        "error.auto_snooze_both", "error.auto_url_invalid",
        "error.auto_secret_required", "error.auto_menu_required", "error.auto_menu_not_found",
        "error.auto_media_invalid", "error.auto_files_too_many",
    ),
    # time-based triggers (automations.timers)
    "minutes": ("error.auto_timer_minutes_invalid",),
    "at": ("error.auto_time_invalid",),
    "days": ("error.auto_days_invalid",),
    "week_days": ("error.auto_week_days_invalid",),
    "month_day": ("error.auto_month_day_invalid",),
}  # fmt: skip
FIELD_OF_ERROR = {code: section for section, codes in _SECTIONS.items() for code in codes}

# What each action row carries (form input ``<name>_<index>``, stored key).
ACTION_FIELDS = (
    ("message", "message"),
    ("tag", "tag"),
    ("department", "department_id"),
    ("key", "key"),
    ("value", "value"),
    ("stage", "stage_id"),
    ("title", "title"),
    ("strategy", "strategy"),
    ("follow_up", "follow_up_rule_id"),
    ("minutes", "minutes"),
    ("until", "until"),  # the snooze's "until": a wall-clock time in the company's zone
    ("url", "url"),
    ("secret", "secret"),
    ("menu", "menu_id"),
    ("media", "media_id"),
    ("delay", "delay_minutes"),
)
CONDITION_FIELDS = ("op", "key", "value")
NO_VALUE = ("inside_hours", "outside_hours")


def field(form: dict[str, Any], name: str) -> str:
    return str(form.get(name) or "").strip()


def week_days(form: dict[str, Any]) -> list[str]:
    """The schedule's ticked day-of-the-week boxes (inputs ``week_<mon…sun>``), in week order."""
    return [d for d in WEEK if form.get(f"week_{d}") not in (None, "", False, "off")]


def blank_action(kind: str = "send_message") -> dict[str, str]:
    return {"type": kind, **{stored: "" for _, stored in ACTION_FIELDS}}


def action_row(action: dict[str, Any]) -> dict[str, str]:
    """A stored action as the builder's row (every field a string)."""
    row = blank_action(str(action.get("type") or "send_message"))
    for _, stored in ACTION_FIELDS:
        if stored == "secret":
            continue  # a webhook's signing secret never goes back to the browser
        if action.get(stored) not in (None, ""):
            row[stored] = str(action[stored])
    return row


def actions_from(form: dict[str, Any], kinds: list[str]) -> list[dict[str, Any]]:
    return [
        {"type": kind, **{stored: field(form, f"{name}_{i}") for name, stored in ACTION_FIELDS}}
        for i, kind in enumerate(kinds)
    ]


def blank_condition(kind: str = "has_tag") -> dict[str, str]:
    return {"type": kind, "op": "", "key": "", "value": "", "negate": "", "group": ""}


def _leaf(kind: str, op: str, key: str, value: str) -> dict[str, Any]:
    if kind in NO_VALUE:
        return {"type": kind}
    if kind == "field":
        return {"type": kind, "key": key, "op": op or "equals", "value": value}
    if kind in ("contact_age", "conversation_age"):
        return {"type": kind, "op": op or "greater", "minutes": value}
    if kind == "has_tag":
        return {"type": kind, "tags": value, "mode": "all" if op == "all" else "any"}
    if kind == "assignee":
        return {"type": kind, "present": value not in ("no", "não", "nao", "0", "false")}
    if kind in ("segment", "department", "number"):
        return {"type": kind, f"{kind}_id": value}
    return {"type": kind, "value": value}


def conditions_from(
    form: dict[str, Any], rows: list[dict[str, str]], join: str, group_join: str
) -> list[dict[str, Any]]:
    """The condition tree: top rows joined by ``join``, group A joined by ``group_join``."""
    top: list[dict[str, Any]] = []
    group: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        leaf = _leaf(
            row["type"],
            field(form, f"cond_op_{i}"),
            field(form, f"cond_key_{i}"),
            field(form, f"cond_value_{i}"),
        )
        if form.get(f"cond_not_{i}") in ("on", True, "true", "1"):
            leaf = {"not": leaf}
        (group if field(form, f"cond_group_{i}") == "a" else top).append(leaf)
    if group:
        top.append({"any" if group_join == "any" else "all": group})
    if join == "any" and len(top) > 1:
        return [{"any": top}]
    return top


def _row_of(item: dict[str, Any], group: str) -> dict[str, str]:
    negate = "not" in item
    leaf = item["not"] if negate else item
    if not isinstance(leaf, dict) or "type" not in leaf:
        return blank_condition()  # deeper than the editor shows: edit as a fresh row
    kind = str(leaf["type"])
    value = leaf.get("value", leaf.get("minutes", leaf.get(f"{kind}_id", "")))
    if kind == "has_tag":
        value = ", ".join(leaf.get("tags") or [])
    if kind == "assignee":
        value = "yes" if leaf.get("present") else "no"
    op = str(leaf.get("op") or leaf.get("mode") or "")
    return {
        "type": kind,
        "op": op,
        "key": str(leaf.get("key") or ""),
        "value": str(value if value is not None else ""),
        "negate": "1" if negate else "",
        "group": group,
    }


def condition_rows(conditions: list[dict[str, Any]]) -> tuple[list[dict[str, str]], str, str]:
    """Rows, the top join and group A's join, read back from a stored tree."""
    join, group_join = "all", "all"
    items = conditions
    if len(items) == 1 and "any" in items[0]:
        join, items = "any", items[0]["any"]
    rows: list[dict[str, str]] = []
    for item in items:
        nested = next((g for g in ("all", "any") if g in item), None)
        if nested is not None and not rows_have_group(rows):
            group_join = nested
            rows.extend(_row_of(leaf, "a") for leaf in item[nested])
        else:
            rows.append(_row_of(item, ""))
    return rows, join, group_join


def rows_have_group(rows: list[dict[str, str]]) -> bool:
    return any(r["group"] == "a" for r in rows)


def trigger_from(form: dict[str, Any], trigger_type: str) -> dict[str, Any]:
    if trigger_type == "keyword":
        return {
            "type": "keyword",
            "match": field(form, "match") or "contains",
            "keyword": field(form, "keyword"),
        }
    if trigger_type == "message_received":
        return {"type": trigger_type, "which": field(form, "which") or "any"}
    if trigger_type == TRIGGER_WEBHOOK:  # the number to write from (empty: the first one)
        return {"type": trigger_type, "number_id": field(form, "hook_number")}
    if trigger_type in TIMER_TRIGGERS:  # validated by automations.timers
        keys = ("minutes", "at", "days", "month_day")
        return {
            "type": trigger_type,
            **{k: field(form, k) for k in keys},
            "week_days": week_days(form),
        }
    return {
        "type": trigger_type,
        "tag": field(form, "trigger_tag"),
        "field": field(form, "trigger_field"),
        "pipeline_id": field(form, "trigger_pipeline"),
        "stage_id": field(form, "trigger_stage"),
        "outcome": field(form, "trigger_outcome"),  # "Moved to Won" (or Lost), any pipeline
    }


# --- the snooze's "until" -----------------------------------------------------------------------
# The builder's input is a datetime-local value (a wall-clock time, no zone), read in the
# company's time zone; the rule stores the instant as ISO 8601 with its UTC offset, which is
# what the snooze action runs on (automations.more_effects).


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def snooze_until(
    actions: list[dict[str, Any]], timezone: str, now: datetime
) -> list[dict[str, Any]]:
    """The actions with each snooze's typed "until" as an instant in ``timezone``.

    A snooze takes minutes or a date and time, not both; an unreadable or past time is
    refused naming the field (shown under the actions)."""
    done = []
    for action in actions:
        until = str(action.get("until") or "").strip()
        if action.get("type") != "snooze" or not until:
            done.append({k: v for k, v in action.items() if k != "until"})
            continue
        if str(action.get("minutes") or "").strip():
            raise UserError("error.auto_snooze_both", field="snooze")
        try:
            local = datetime.fromisoformat(until)
        except ValueError as exc:
            raise UserError("error.auto_until_invalid", field="snooze") from exc
        if local.tzinfo is None:
            local = local.replace(tzinfo=_zone(timezone))
        if local <= now.astimezone(UTC):
            raise UserError("error.auto_until_past", field="snooze")
        done.append({**action, "until": local.isoformat(timespec="minutes")})
    return done


def until_for_input(stored: str, timezone: str) -> str:
    """A stored "until" as the builder's datetime-local value, in ``timezone``."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # as the action reads it
    return moment.astimezone(_zone(timezone)).strftime("%Y-%m-%dT%H:%M")


def rule_parts(
    form: dict[str, Any],
    trigger_type: str,
    actions: list[dict[str, Any]],
    conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """name, trigger, conditions and actions; an unnamed rule is named after its trigger.

    The "When" select (business hours) is one more AND-ed condition."""
    keyword = field(form, "keyword")
    hours = field(form, "condition")
    tree = list(conditions or [])
    if hours:
        tree = [{"type": hours}, *tree]
    return {
        "name": field(form, "name") or keyword or trigger_type,
        "trigger": trigger_from(form, trigger_type),
        "conditions": tree,
        "actions": actions,
    }
