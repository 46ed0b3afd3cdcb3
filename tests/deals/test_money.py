"""Money typed the Brazilian or the English way, stored as cents, shown per language."""

from __future__ import annotations

import pytest

from whatsapp_saas.deals.money import BadMoney, format_brl, money_input, parse_money


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("", 0),
        ("1500", 150000),
        ("1.500", 150000),
        ("1,500", 150000),
        ("1.234,56", 123456),
        ("1,234.56", 123456),
        ("R$ 99,90", 9990),
        ("R$1.234.567,8", 123456780),
        ("0,5", 50),
        ("12.5", 1250),
    ],
)
def test_parse(typed: str, cents: int) -> None:
    assert parse_money(typed) == cents


@pytest.mark.parametrize("typed", ["abc", "-5", "1,2,3", "12,34.56,7", "1.23.4", ",5", "1e5"])
def test_refuse(typed: str) -> None:
    with pytest.raises(BadMoney):
        parse_money(typed)


def test_format() -> None:
    assert format_brl(123456, "pt-BR") == "R$ 1.234,56"
    assert format_brl(123456, "en") == "R$1,234.56"
    assert format_brl(5, "pt-BR") == "R$ 0,05"
    assert money_input(123456, "pt-BR") == "1234,56" and money_input(150000, "en") == "1500"
