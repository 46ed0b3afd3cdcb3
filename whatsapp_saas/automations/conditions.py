"""Rule conditions: a small AND / OR / NOT tree of leaf tests, validated and compiled once.

Stored as the rule's ``conditions`` list. A flat list means AND (the original meaning); an
item may also be a group ``{"all": [...]}``, ``{"any": [...]}`` or ``{"not": {...}}``. Each
leaf compiles to a :data:`Check` on the :class:`~whatsapp_saas.automations.rules.Facts`
loaded once per event, returning None when it passes or the i18n key of why it failed (the
dry run shows it). No I/O: segment membership is a fact (the engine loads the ids of the
segments the rules name, once per event).

"WhatsApp number is" (``number``) is the business's linked number the conversation is on
(``whatsapp_numbers``, by id), as everywhere else in the product. The older ``phone`` leaf,
saved by earlier builders under that label, tests the customer's phone and still loads and
runs as it did ("Customer's phone is").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from whatsapp_saas.automations.actions import invalid
from whatsapp_saas.text_fold import fold

if TYPE_CHECKING:
    from whatsapp_saas.automations.rules import Facts

Check = Callable[["Facts"], str | None]

HOURS = ("inside_hours", "outside_hours")
LEAVES = (
    *HOURS,
    "number",
    "phone",
    "has_tag",
    "segment",
    "field",
    "contact_age",
    "conversation_age",
    "status",
    "assignee",
    "department",
    "owner",
    "message_type",
)
GROUPS = ("all", "any", "not")
FIELD_OPS = ("equals", "contains", "empty", "greater", "less")
AGE_OPS = ("greater", "less")
STATUSES = ("open", "pending", "resolved")
OWNERS = ("human", "flow", "ai")
MESSAGE_TYPES = ("text", "media", "voice")
MEDIA_TYPES = frozenset({"image", "video", "document", "sticker", "audio"})
MAX_DEPTH = 3
VALUE_MAX = 200


# --- validation ---------------------------------------------------------------------------


def validate_condition(raw: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """One cleaned condition (leaf or group); a UserError naming the field in error."""
    if not isinstance(raw, dict):
        raise invalid("error.auto_condition_invalid", "condition")
    group = next((g for g in GROUPS if g in raw), None)
    if group is not None:
        if depth >= MAX_DEPTH:
            raise invalid("error.auto_condition_too_deep", "condition")
        if group == "not":
            return {"not": validate_condition(raw["not"], depth + 1)}
        items = raw[group]
        if not isinstance(items, list) or not items:
            raise invalid("error.auto_group_empty", "condition")
        return {group: [validate_condition(i, depth + 1) for i in items]}
    return _leaf(raw)


def _leaf(raw: dict[str, Any]) -> dict[str, Any]:
    kind = str(raw.get("type") or "")
    if kind not in LEAVES:
        raise invalid("error.auto_condition_invalid", "condition")
    if kind in HOURS:
        return {"type": kind}
    if kind == "phone":
        phone = _digits(str(raw.get("value") or ""))
        if not phone:
            raise invalid("error.auto_phone_required", "condition_value")
        return {"type": kind, "value": phone}
    if kind == "has_tag":
        tags = _tags(raw.get("tags", raw.get("value")))
        if not tags:
            raise invalid("error.auto_condition_value_required", "condition_value")
        mode = "all" if raw.get("mode") == "all" else "any"
        return {"type": kind, "tags": tags, "mode": mode}
    if kind in ("segment", "department", "number"):
        key = f"{kind}_id"
        value = str(raw.get(key) or raw.get("value") or "")
        if not value.isdigit():
            code = "whatsapp_number" if kind == "number" else kind
            raise invalid(f"error.auto_{code}_required", "condition_value")
        return {"type": kind, key: int(value)}
    if kind == "field":
        return _field(raw)
    if kind in ("contact_age", "conversation_age"):
        op = str(raw.get("op") or "greater")
        minutes = str(raw.get("minutes") or raw.get("value") or "")
        if op not in AGE_OPS:
            raise invalid("error.auto_op_invalid", "condition_op")
        if not minutes.isdigit():
            raise invalid("error.auto_minutes_invalid", "condition_value")
        return {"type": kind, "op": op, "minutes": int(minutes)}
    if kind == "assignee":
        return {"type": kind, "present": raw.get("present", raw.get("value")) not in (False, "no")}
    return _choice(kind, raw)


def _choice(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    allowed = {"status": STATUSES, "owner": OWNERS, "message_type": MESSAGE_TYPES}[kind]
    value = str(raw.get("value") or "")
    if value not in allowed:
        raise invalid("error.auto_condition_value_invalid", "condition_value")
    return {"type": kind, "value": value}


def _field(raw: dict[str, Any]) -> dict[str, Any]:
    key = str(raw.get("key") or "").strip()
    op = str(raw.get("op") or "equals")
    value = str(raw.get("value") or "").strip()
    if not key:
        raise invalid("error.auto_field_key_required", "condition_key")
    if op not in FIELD_OPS:
        raise invalid("error.auto_op_invalid", "condition_op")
    if op in ("greater", "less"):
        try:
            float(value)
        except ValueError as exc:
            raise invalid("error.auto_number_required", "condition_value") from exc
    elif op != "empty" and not value:
        raise invalid("error.auto_condition_value_required", "condition_value")
    if len(value) > VALUE_MAX:
        raise invalid("error.auto_condition_value_too_long", "condition_value")
    return {"type": "field", "key": key, "op": op, "value": value}


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _tags(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else str(raw or "").split(",")
    return [t for t in (str(i).strip() for i in items) if t]


def segments_named(conditions: list[dict[str, Any]]) -> frozenset[int]:
    """The segment ids a condition tree tests (the engine loads their membership once)."""
    found: set[int] = set()
    for item in conditions:
        if "not" in item:
            found |= segments_named([item["not"]])
        for group in ("all", "any"):
            if group in item:
                found |= segments_named(item[group])
        if item.get("type") == "segment":
            found.add(int(item["segment_id"]))
    return frozenset(found)


# --- compiling ----------------------------------------------------------------------------


def compile_condition(condition: dict[str, Any]) -> Check:
    if "all" in condition:
        return all_of([compile_condition(c) for c in condition["all"]])
    if "any" in condition:
        return _any_of([compile_condition(c) for c in condition["any"]])
    if "not" in condition:
        return _negate(compile_condition(condition["not"]))
    return _LEAF_COMPILERS[condition["type"]](condition)


def all_of(checks: list[Check]) -> Check:
    def check(facts: Facts) -> str | None:
        for item in checks:
            reason = item(facts)
            if reason is not None:
                return reason
        return None

    return check


def _any_of(checks: list[Check]) -> Check:
    def check(facts: Facts) -> str | None:
        reason = "auto.why_any_failed"
        for item in checks:
            failed = item(facts)
            if failed is None:
                return None
            reason = failed
        return reason  # the last alternative's reason: the dry run names one that failed

    return check


def _negate(inner: Check) -> Check:
    def check(facts: Facts) -> str | None:
        return "auto.why_not_group" if inner(facts) is None else None

    return check


def _hours(condition: dict[str, Any]) -> Check:
    wanted_inside = condition.get("type") == "inside_hours"

    def check(facts: Facts) -> str | None:
        if facts.inside_hours is None:
            return "auto.why_no_hours"
        if facts.inside_hours != wanted_inside:
            return "auto.why_outside_hours" if wanted_inside else "auto.why_inside_hours"
        return None

    return check


def _phone(condition: dict[str, Any]) -> Check:
    wanted = condition["value"]
    return lambda facts: None if _digits(facts.phone) == wanted else "auto.why_phone"


def _number(condition: dict[str, Any]) -> Check:
    wanted = int(condition["number_id"])
    return lambda facts: None if facts.number_id == wanted else "auto.why_number"


def _has_tag(condition: dict[str, Any]) -> Check:
    wanted = frozenset(fold(t) for t in condition["tags"])
    every = condition.get("mode") == "all"

    def check(facts: Facts) -> str | None:
        have = facts.tags & wanted
        ok = have == wanted if every else bool(have)
        return None if ok else "auto.why_tag"

    return check


def _segment(condition: dict[str, Any]) -> Check:
    wanted = int(condition["segment_id"])
    return lambda facts: None if wanted in facts.segments else "auto.why_segment"


def _field_check(condition: dict[str, Any]) -> Check:
    key, op, raw = condition["key"], condition["op"], condition["value"]
    folded = fold(raw).strip()

    def check(facts: Facts) -> str | None:
        value = facts.fields.get(key)
        text = "" if value is None else fold(str(value)).strip()
        if op == "empty":
            ok = text == ""
        elif op == "equals":
            ok = text == folded
        elif op == "contains":
            ok = folded in text
        else:
            ok = _compare(value, float(raw), op)
        return None if ok else "auto.why_field"

    return check


def _compare(value: Any, limit: float, op: str) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return number > limit if op == "greater" else number < limit


def _age(condition: dict[str, Any]) -> Check:
    span = timedelta(minutes=int(condition["minutes"]))
    older = condition["op"] == "greater"
    of_contact = condition["type"] == "contact_age"

    def check(facts: Facts) -> str | None:
        born = facts.contact_created_at if of_contact else facts.conversation_created_at
        if born is None or facts.now is None:
            return "auto.why_age"
        age = facts.now - born
        ok = age > span if older else age < span
        return None if ok else "auto.why_age"

    return check


def _status(condition: dict[str, Any]) -> Check:
    wanted = condition["value"]
    return lambda facts: None if facts.status == wanted else "auto.why_status"


def _assignee(condition: dict[str, Any]) -> Check:
    present = bool(condition["present"])
    return lambda f: None if (f.assignee_id is not None) == present else "auto.why_assignee"


def _department(condition: dict[str, Any]) -> Check:
    wanted = int(condition["department_id"])
    return lambda facts: None if facts.department_id == wanted else "auto.why_department"


def _owner(condition: dict[str, Any]) -> Check:
    wanted = condition["value"]
    return lambda facts: None if facts.owner_kind == wanted else "auto.why_owner"


def message_kind(message_type: str) -> str:
    """The condition's three kinds of a message: text, media, or a voice note."""
    if message_type == "voice":
        return "voice"
    return "media" if message_type in MEDIA_TYPES else "text"


def _message_type(condition: dict[str, Any]) -> Check:
    wanted = condition["value"]
    return lambda facts: None if facts.message_kind == wanted else "auto.why_message_type"


_LEAF_COMPILERS: dict[str, Callable[[dict[str, Any]], Check]] = {
    "inside_hours": _hours,
    "outside_hours": _hours,
    "number": _number,
    "phone": _phone,
    "has_tag": _has_tag,
    "segment": _segment,
    "field": _field_check,
    "contact_age": _age,
    "conversation_age": _age,
    "status": _status,
    "assignee": _assignee,
    "department": _department,
    "owner": _owner,
    "message_type": _message_type,
}
