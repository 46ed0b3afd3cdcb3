"""Menu answers and rendering, without I/O: numbers, emoji keycaps, words, back, keywords."""

from __future__ import annotations

import pytest

from whatsapp_saas.automations.menus import (
    DEFAULT_KEYWORDS,
    clean_keywords,
    clean_tree,
    node_at,
    parse_answer,
    render,
)
from whatsapp_saas.errors import UserError

NODE = {
    "message": "Como podemos ajudar?",
    "options": [
        {"label": "Vendas", "target": "department", "department_id": 1},
        {"label": "Suporte técnico", "target": "menu", "message": "x", "options": []},
        {"label": "Falar com a IA", "target": "ai"},
    ],
}
KEYS = list(DEFAULT_KEYWORDS)


@pytest.mark.parametrize(
    ("text", "kind", "index"),
    [
        ("2", "option", 1),
        (" 2. ", "option", 1),
        ("*3*", "option", 2),
        ("2️⃣", "option", 1),
        ("1⃣", "option", 0),
        ("vendas", "option", 0),
        ("VENDAS!", "option", 0),
        ("suporte tecnico", "option", 1),
        ("Técnico", "option", 1),
        ("quero vendas", "option", 0),
        ("#", "back", -1),
        ("0", "back", -1),
        ("0️⃣", "back", -1),
        ("Atendente", "human", -1),
        ("humano", "human", -1),
        ("HUMAN", "human", -1),
        ("quero falar com um atendente, por favor", "human", -1),
        ("Atendimento humano já!", "human", -1),
        ("atendentes", "unknown", -1),  # a whole word only
        ("7", "unknown", -1),
        ("banana", "unknown", -1),
        ("", "unknown", -1),
    ],
)
def test_answers(text: str, kind: str, index: int) -> None:
    answer = parse_answer(text, NODE, KEYS)
    assert (answer.kind, answer.index) == (kind, index)


def test_keywords_are_configurable_and_accent_insensitive() -> None:
    keys = clean_keywords("Operador, pessoa")
    assert keys == ["Operador", "pessoa"]
    assert parse_answer("operador", NODE, keys).kind == "human"
    assert parse_answer("atendente", NODE, keys).kind == "unknown"
    assert clean_keywords("  ") == list(DEFAULT_KEYWORDS)


def test_render_bold_numbers_no_buttons() -> None:
    assert render(NODE) == (
        "Como podemos ajudar?\n\n*1.* Vendas\n*2.* Suporte técnico\n*3.* Falar com a IA"
    )


def test_node_paths() -> None:
    assert node_at(NODE, "") is NODE
    assert node_at(NODE, "1") is NODE["options"][1]  # type: ignore[index]
    assert node_at(NODE, "9") is None


@pytest.mark.parametrize(
    ("tree", "field"),
    [
        ({"message": "", "options": []}, "message"),
        ({"message": "Hi", "options": []}, "options"),
        ({"message": "Hi", "options": [{"label": "", "target": "ai"}]}, "1"),
        ({"message": "Hi", "options": [{"label": "A", "target": "x"}]}, "1"),
        ({"message": "Hi", "options": [{"label": "A", "target": "department"}]}, "1"),
        (
            {
                "message": "Hi",
                "options": [
                    {"label": "A", "target": "ai"},
                    {"label": "B", "target": "menu", "message": "Sub", "options": [{"label": "C"}]},
                ],
            },
            "2.1",
        ),
    ],
)
def test_validation_names_the_field(tree: dict[str, object], field: str) -> None:
    with pytest.raises(UserError) as caught:
        clean_tree(tree)
    assert caught.value.params["field"] == field
