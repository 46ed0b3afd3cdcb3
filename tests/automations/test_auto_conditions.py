"""Unit tests of the newer triggers, the AND/OR/NOT conditions and the new actions' checks.

No database: rules compile to callables over Facts, and the dry run's reasons are the keys
returned here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from whatsapp_saas.automations import rules
from whatsapp_saas.automations.botguard import looks_automatic
from whatsapp_saas.automations.conditions import message_kind
from whatsapp_saas.automations.rules import Facts, compile_rule, evaluate, firing, for_event
from whatsapp_saas.errors import UserError

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
SEND = [{"type": "send_message", "message": "oi"}]


def facts(**values: Any) -> Facts:
    base: dict[str, Any] = {"folded_text": "", "now": NOW}
    base.update(values)
    return Facts(**base)


def why(conditions: list[dict[str, Any]], f: Facts, trigger: dict[str, Any] | None = None) -> str:
    _, trig, conds, acts = rules.validate(
        name="r", trigger=trigger or {"type": "message_received"}, conditions=conditions,
        actions=SEND,
    )  # fmt: skip
    (verdict,) = evaluate([compile_rule(1, "r", trig, conds, acts)], f)
    return verdict.reason


OK = "auto.why_matched"


@pytest.mark.parametrize(
    ("condition", "good", "bad", "reason"),
    [
        ({"type": "phone", "value": "+55 11 98888-0001"}, {"phone": "+5511988880001"},
         {"phone": "+5511988880002"}, "auto.why_phone"),
        ({"type": "has_tag", "tags": "VIP, lead"}, {"tags": frozenset({"lead"})},
         {"tags": frozenset({"other"})}, "auto.why_tag"),
        ({"type": "has_tag", "tags": ["vip", "lead"], "mode": "all"},
         {"tags": frozenset({"vip", "lead"})}, {"tags": frozenset({"vip"})}, "auto.why_tag"),
        ({"type": "segment", "segment_id": "7"}, {"segments": frozenset({7})},
         {"segments": frozenset({8})}, "auto.why_segment"),
        ({"type": "field", "key": "city", "op": "equals", "value": "São Paulo"},
         {"fields": {"city": "sao paulo"}}, {"fields": {"city": "Rio"}}, "auto.why_field"),
        ({"type": "field", "key": "city", "op": "contains", "value": "paulo"},
         {"fields": {"city": "São Paulo"}}, {"fields": {}}, "auto.why_field"),
        ({"type": "field", "key": "cpf", "op": "empty"}, {"fields": {}},
         {"fields": {"cpf": "123"}}, "auto.why_field"),
        ({"type": "field", "key": "score", "op": "greater", "value": "10"},
         {"fields": {"score": 11}}, {"fields": {"score": "9"}}, "auto.why_field"),
        ({"type": "field", "key": "score", "op": "less", "value": "10"},
         {"fields": {"score": 9.5}}, {"fields": {"score": "abc"}}, "auto.why_field"),
        ({"type": "contact_age", "op": "less", "minutes": "60"},
         {"contact_created_at": NOW - timedelta(minutes=5)},
         {"contact_created_at": NOW - timedelta(hours=2)}, "auto.why_age"),
        ({"type": "conversation_age", "op": "greater", "minutes": "60"},
         {"conversation_created_at": NOW - timedelta(hours=2)},
         {"conversation_created_at": NOW}, "auto.why_age"),
        ({"type": "status", "value": "open"}, {"status": "open"}, {"status": "pending"},
         "auto.why_status"),
        ({"type": "assignee", "present": True}, {"assignee_id": 3}, {"assignee_id": None},
         "auto.why_assignee"),
        ({"type": "assignee", "present": "no"}, {"assignee_id": None}, {"assignee_id": 3},
         "auto.why_assignee"),
        ({"type": "department", "department_id": 4}, {"department_id": 4},
         {"department_id": 5}, "auto.why_department"),
        ({"type": "owner", "value": "ai"}, {"owner_kind": "ai"}, {"owner_kind": "flow"},
         "auto.why_owner"),
        ({"type": "message_type", "value": "voice"}, {"message_kind": "voice"},
         {"message_kind": "media"}, "auto.why_message_type"),
        ({"type": "inside_hours"}, {"inside_hours": True}, {"inside_hours": False},
         "auto.why_outside_hours"),
    ],
)  # fmt: skip
def test_each_condition_passes_or_names_its_failure(
    condition: dict[str, Any], good: dict[str, Any], bad: dict[str, Any], reason: str
) -> None:
    assert why([condition], facts(**good)) == OK
    assert why([condition], facts(**bad)) == reason


def test_a_flat_list_is_and_and_groups_combine() -> None:
    vip = {"type": "has_tag", "tags": "vip"}
    open_ = {"type": "status", "value": "open"}
    both = facts(tags=frozenset({"vip"}), status="open")
    only_vip = facts(tags=frozenset({"vip"}), status="resolved")
    assert why([vip, open_], both) == OK
    assert why([vip, open_], only_vip) == "auto.why_status"
    assert why([{"all": [vip, open_]}], only_vip) == "auto.why_status"
    assert why([{"any": [open_, vip]}], only_vip) == OK
    neither = facts(status="resolved")
    assert why([{"any": [vip, open_]}], neither) == "auto.why_status"  # names one that failed
    assert why([{"not": open_}], both) == "auto.why_not_group"
    assert why([{"not": open_}], only_vip) == OK
    nested: list[dict[str, Any]] = [
        vip,
        {"any": [open_, {"not": {"type": "assignee", "present": True}}]},
    ]
    assert why(nested, only_vip) == OK
    assert why(nested, facts(tags=frozenset({"vip"}), status="resolved", assignee_id=1)) != OK


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"type": "nope"}, "condition"),
        ({"type": "phone", "value": "abc"}, "condition_value"),
        ({"type": "field", "key": "", "op": "equals", "value": "x"}, "condition_key"),
        ({"type": "field", "key": "k", "op": "bigger", "value": "x"}, "condition_op"),
        ({"type": "field", "key": "k", "op": "greater", "value": "ten"}, "condition_value"),
        ({"type": "contact_age", "op": "greater", "minutes": "x"}, "condition_value"),
        ({"type": "status", "value": "lost"}, "condition_value"),
        ({"type": "segment", "segment_id": ""}, "condition_value"),
        ({"any": []}, "condition"),
        ({"not": {"not": {"not": {"not": {"type": "inside_hours"}}}}}, "condition"),
    ],
)
def test_a_bad_condition_names_the_field(condition: dict[str, Any], field: str) -> None:
    with pytest.raises(UserError) as err:
        rules.validate(
            name="r", trigger={"type": "message_received"}, conditions=[condition], actions=SEND
        )
    assert err.value.params["field"] == field


@pytest.mark.parametrize(
    ("trigger", "event", "detail", "fires"),
    [
        ({"type": "conversation_opened"}, "conversation_opened", {}, True),
        ({"type": "conversation_assigned"}, "conversation_assigned", {}, True),
        ({"type": "conversation_transferred"}, "conversation_transferred", {}, True),
        ({"type": "conversation_resolved"}, "conversation_resolved", {}, True),
        ({"type": "conversation_reopened"}, "conversation_reopened", {}, True),
        ({"type": "conversation_reopened"}, "conversation_opened", {}, False),
        ({"type": "tag_added", "tag": "Lead"}, "tag_added", {"tag": "lead"}, True),
        ({"type": "tag_added", "tag": "Lead"}, "tag_added", {"tag": "vip"}, False),
        ({"type": "tag_added"}, "tag_added", {"tag": "vip"}, True),
        ({"type": "tag_removed", "tag": "lead"}, "tag_removed", {"tag": "lead"}, True),
        ({"type": "field_changed", "field": "cpf"}, "field_changed", {"field": "cpf"}, True),
        ({"type": "field_changed", "field": "cpf"}, "field_changed", {"field": "email"}, False),
        ({"type": "deal_stage_changed", "pipeline_id": "2", "stage_id": "5"},
         "deal_stage_changed", {"pipeline_id": 2, "stage_id": 5}, True),
        ({"type": "deal_stage_changed", "stage_id": "5"},
         "deal_stage_changed", {"pipeline_id": 2, "stage_id": 6}, False),
    ],
)  # fmt: skip
def test_event_triggers_and_their_filters(
    trigger: dict[str, Any], event: str, detail: dict[str, Any], fires: bool
) -> None:
    _, trig, conds, acts = rules.validate(name="r", trigger=trigger, conditions=[], actions=SEND)
    compiled = [compile_rule(1, "r", trig, conds, acts)]
    picked = for_event(compiled, event)
    fired = firing(picked, facts(event=event, detail=detail))
    assert bool(fired) is fires


def test_message_events_run_only_message_rules() -> None:
    keyword = compile_rule(1, "k", {"type": "keyword", "keyword": "oi"}, [], SEND)
    tagged = compile_rule(2, "t", {"type": "tag_added"}, [], SEND)
    assert for_event([keyword, tagged], "message_received") == [keyword]
    assert for_event([keyword, tagged], "tag_added") == [tagged]


def test_segments_named_by_conditions_are_known_at_compile_time() -> None:
    conds = [{"any": [{"type": "segment", "segment_id": 3}, {"not": {"type": "segment",
             "segment_id": 9}}]}]  # fmt: skip
    assert compile_rule(1, "s", {"type": "message_received"}, conds, SEND).segments == {3, 9}


@pytest.mark.parametrize(
    ("action", "field"),
    [
        ({"type": "remove_tag", "tag": ""}, "tag"),
        ({"type": "set_field", "key": "", "value": "1"}, "field_key"),
        ({"type": "create_deal", "stage_id": ""}, "stage"),
        ({"type": "move_deal", "stage_id": "x"}, "stage"),
        ({"type": "assign_agent", "department_id": "1", "strategy": "random"}, "strategy"),
        ({"type": "assign_agent", "department_id": ""}, "department"),
        ({"type": "start_follow_up", "follow_up_rule_id": ""}, "follow_up"),
        ({"type": "snooze", "minutes": "0"}, "snooze"),
        ({"type": "snooze", "until": "tomorrow"}, "snooze"),
        ({"type": "webhook", "url": "ftp://x", "secret": "s"}, "url"),
        ({"type": "webhook", "url": "https://x.io/h", "secret": "s" * 201}, "secret"),
        ({"type": "send_message", "message": "hi", "delay_minutes": "soon"}, "delay"),
    ],
)
def test_a_bad_action_names_the_field(action: dict[str, Any], field: str) -> None:
    with pytest.raises(UserError) as err:
        rules.validate(
            name="r", trigger={"type": "message_received"}, conditions=[], actions=[action]
        )
    assert err.value.params["field"] == field


def test_new_actions_clean_up() -> None:
    raw = [
        {"type": "remove_tag", "tag": " lead "},
        {"type": "set_field", "key": "cpf", "value": " 123 "},
        {"type": "create_deal", "stage_id": "4", "title": "Novo"},
        {"type": "move_deal", "stage_id": "5"},
        {"type": "assign_agent", "department_id": "2", "strategy": "least_busy"},
        {"type": "start_follow_up", "follow_up_rule_id": "3"},
        {"type": "stop_follow_up"},
        {"type": "snooze", "minutes": "30", "delay_minutes": "10"},
        {"type": "hand_to_ai"},
        {"type": "webhook", "url": "https://hooks.example/x", "secret": "k"},
    ]
    _, _, _, cleaned = rules.validate(
        name="r", trigger={"type": "message_received"}, conditions=[], actions=raw
    )
    assert cleaned[0] == {"type": "remove_tag", "tag": "lead"}
    assert cleaned[2] == {"type": "create_deal", "stage_id": 4, "title": "Novo"}
    assert cleaned[4]["strategy"] == "least_busy" and cleaned[4]["department_id"] == 2
    assert cleaned[7] == {"type": "snooze", "minutes": 30, "delay_minutes": 10}


def test_message_kinds_and_auto_reply_texts() -> None:
    assert [message_kind(t) for t in ("text", "image", "voice", "audio", "location")] == [
        "text", "media", "voice", "media", "text"
    ]  # fmt: skip
    assert looks_automatic("Esta é uma mensagem automática, retornaremos em breve")
    assert looks_automatic("Out of office until Monday")
    assert not looks_automatic("Qual o preço? não tive resposta")
