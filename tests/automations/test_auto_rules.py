"""Pure rule logic: triggers, conditions, validation naming the field, variables, hours."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from whatsapp_saas.automations.hours import OpeningHours, brazilian_holidays, easter
from whatsapp_saas.automations.models import AutomationSettings
from whatsapp_saas.automations.rules import Facts, compile_rule, evaluate, prepare, validate
from whatsapp_saas.automations.variables import contact_values, render
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.errors import UserError

SEND = [{"type": "send_message", "message": "oi"}]


def keyword(word: str, match: str = "contains", **kw: object) -> object:
    return compile_rule(
        1, word, {"type": "keyword", "match": match, "keyword": word}, [], SEND, **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("match", "word", "text", "fires"),
    [
        ("contains", "preco", "Qual o PREÇO?", True),
        ("contains", "Preço", "qual o preco", True),
        ("contains", "preco", "bom dia", False),
        ("equals", "oi", "  Oi ", True),
        ("equals", "oi", "oi tudo bem", False),
        ("starts_with", "ola", "Olá, bom dia", True),
        ("starts_with", "ola", "bom dia, olá", False),
        ("regex", r"pedido\s*\d+", "Meu PEDIDO 123", True),
        ("regex", r"^cancel", "quero cancelar", False),
    ],
)
def test_keyword_matching_ignores_accents_and_case(
    match: str, word: str, text: str, fires: bool
) -> None:
    (verdict,) = evaluate([keyword(word, match)], Facts(prepare(text)))  # type: ignore[list-item]
    assert verdict.fired is fires
    assert verdict.reason == ("auto.why_matched" if fires else "auto.why_keyword")


def test_message_received_variants() -> None:
    def rule(which: str) -> object:
        return compile_rule(1, which, {"type": "message_received", "which": which}, [], SEND)

    old = Facts("x", first_from_contact=False, first_in_conversation=False)
    new = Facts("x", first_from_contact=True, first_in_conversation=True)
    rules = [rule("any"), rule("new_contact"), rule("new_conversation")]
    assert [v.fired for v in evaluate(rules, old)] == [True, False, False]  # type: ignore[arg-type]
    assert [v.fired for v in evaluate(rules, new)] == [True, True, True]  # type: ignore[arg-type]
    reasons = [v.reason for v in evaluate(rules, old)][1:]  # type: ignore[arg-type]
    assert reasons == ["auto.why_not_new_contact", "auto.why_not_new_conversation"]


def test_business_hours_conditions() -> None:
    inside = compile_rule(1, "in", {"type": "message_received"}, [{"type": "inside_hours"}], SEND)
    outside = compile_rule(
        2, "out", {"type": "message_received"}, [{"type": "outside_hours"}], SEND
    )
    assert [v.fired for v in evaluate([inside, outside], Facts("", inside_hours=True))] == [
        True,
        False,
    ]
    assert [v.fired for v in evaluate([inside, outside], Facts("", inside_hours=False))] == [
        False,
        True,
    ]
    assert evaluate([inside], Facts(""))[0].reason == "auto.why_no_hours"


def test_stop_after_first_match() -> None:
    first = keyword("preco", stop_after=True)
    second = keyword("preco")
    verdicts = evaluate([first, second], Facts("preco"))  # type: ignore[list-item]
    assert [v.fired for v in verdicts] == [True, False]
    assert verdicts[1].reason == "auto.why_stopped"


@pytest.mark.parametrize(
    ("trigger", "actions", "field"),
    [
        ({"type": "keyword", "keyword": ""}, SEND, "keyword"),
        ({"type": "keyword", "keyword": "(", "match": "regex"}, SEND, "keyword"),
        ({"type": "nope"}, SEND, "trigger"),
        ({"type": "keyword", "keyword": "x"}, [], "action"),
        (
            {"type": "keyword", "keyword": "x"},
            [{"type": "send_message", "message": " "}],
            "message",
        ),
        ({"type": "keyword", "keyword": "x"}, [{"type": "add_tag", "tag": ""}], "tag"),
        ({"type": "keyword", "keyword": "x"}, [{"type": "assign_department"}], "department"),
    ],
)
def test_validation_names_the_field(trigger: dict, actions: list, field: str) -> None:
    with pytest.raises(UserError) as caught:
        validate(name="r", trigger=trigger, conditions=[], actions=actions)
    assert caught.value.params["field"] == field


def test_variables_render_and_missing_fields_are_empty() -> None:
    values = {"contact.first_name": "Maria", "contact.name": "Maria Silva"}
    text = "Oi {{contact.first_name}} ({{ contact.name }}), CPF {{contact.fields.cpf}}."
    assert render(text, values) == "Oi Maria (Maria Silva), CPF ."


def test_field_values_read_as_a_customer_would_read_them() -> None:
    fields = {"vip": True, "old": False, "sizes": ["P", "M"]}
    contact = Contact(tenant_id=1, name="Maria Silva", custom_fields=fields)
    pt = contact_values(contact, language="pt-BR")
    assert (pt["contact.fields.vip"], pt["contact.fields.old"]) == ("Sim", "Não")
    assert pt["contact.fields.sizes"] == "P, M"
    assert contact_values(contact, language="en")["contact.fields.vip"] == "Yes"


def test_easter_and_brazilian_holidays() -> None:
    assert easter(2024) == date(2024, 3, 31) and easter(2025) == date(2025, 4, 20)
    days = brazilian_holidays(2025)
    assert date(2025, 4, 18) in days  # Good Friday
    assert date(2025, 3, 4) in days  # Carnival Tuesday
    assert date(2025, 6, 19) in days  # Corpus Christi
    assert date(2025, 11, 20) in days and date(2025, 12, 25) in days


def _hours(tz: str, holidays: list[str] | None = None) -> OpeningHours:
    weekdays = {str(d): ["09:00", "18:00"] for d in range(5)}
    settings = AutomationSettings(
        tenant_id=1, timezone=tz, weekly_hours=weekdays, holidays=holidays or []
    )
    hours = OpeningHours.of(settings)
    assert hours is not None
    return hours


def test_business_hours_across_dst() -> None:
    # São Paulo kept DST until 2019: on 2018-11-05 (Monday, after the switch on 11-04)
    # 09:30 local was 11:30 UTC; a week before, 09:30 local was 12:30 UTC.
    hours = _hours("America/Sao_Paulo")
    assert hours.is_open(datetime(2018, 11, 5, 11, 30, tzinfo=UTC))
    assert not hours.is_open(datetime(2018, 10, 29, 11, 30, tzinfo=UTC))  # 08:30 local
    assert hours.is_open(datetime(2018, 10, 29, 12, 30, tzinfo=UTC))
    # New York: 2026-03-09 is the Monday after the spring change (UTC-4).
    ny = _hours("America/New_York")
    assert ny.is_open(datetime(2026, 3, 9, 13, 5, tzinfo=UTC))  # 09:05 EDT
    assert not ny.is_open(datetime(2026, 3, 6, 13, 5, tzinfo=UTC))  # 08:05 EST


def test_holidays_close_the_day_and_next_open_skips_them() -> None:
    hours = _hours("America/Sao_Paulo", ["2025-11-20", "2025-11-21"])
    thursday_noon = datetime(2025, 11, 20, 15, 0, tzinfo=UTC)  # 12:00 local, a holiday
    assert not hours.is_open(thursday_noon)
    # Friday is a holiday too: the next opening is Monday 09:00 local (12:00 UTC).
    assert hours.next_open(thursday_noon) == datetime(2025, 11, 24, 12, 0, tzinfo=UTC)
    same_period = datetime(2025, 11, 22, 20, 0, tzinfo=UTC)
    assert hours.next_open(same_period) == hours.next_open(thursday_noon)
