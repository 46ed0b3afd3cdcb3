"""Campaign variables in Portuguese and English, and first names after a title."""

from __future__ import annotations

import pytest

from whatsapp_saas.scheduling.templates import check_template, first_name, render


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Dona Maria", "Maria"),
        ("dona maria souza", "maria"),
        ("Seu Zé", "Zé"),
        ("Sr. João Silva", "João"),
        ("Sra. Ana", "Ana"),
        ("Dr. Carlos", "Carlos"),
        ("Dra Beatriz Lima", "Beatriz"),
        ("Dona", "Dona"),
        ("Maria Dona", "Maria"),
        ("", ""),
    ],
)
def test_first_name_skips_titles(name: str, first: str) -> None:
    assert first_name(name) == first


def test_portuguese_variables_alongside_the_english_ones() -> None:
    template = "Oi {{primeiro_nome}} ({{nome}}, {{telefone}}) / {{first_name}} {{name}} {{phone}}"
    assert check_template(template) == template
    assert render(template, name="Dona Maria Souza", phone="+5511988881001") == (
        "Oi Maria (Dona Maria Souza, +5511988881001) / Maria Dona Maria Souza +5511988881001"
    )
