"""Money as people type and read it: integer cents inside, BRL formatting outside.

Typed values accept either habit, whatever the UI language: ``1.234,56`` (Brazil),
``1,234.56`` (English), ``1234``, ``R$ 99,90``. A separator followed by exactly three digits
is a thousands separator; one or two digits after the last separator are the cents.
"""

from __future__ import annotations

import re

from whatsapp_saas.i18n import normalise_language

MAX_CENTS = 10**14  # a trillion reais: beyond that it is a typo
_ALLOWED = re.compile(r"^[0-9.,]+$")


class BadMoney(ValueError):
    """Not an amount of money."""


def parse_money(text: str) -> int:
    """``text`` as a non-negative number of cents; empty means zero. Raises BadMoney."""
    cleaned = text.strip().replace("R$", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        return 0
    if not _ALLOWED.match(cleaned) or not cleaned[0].isdigit() or not cleaned[-1].isdigit():
        raise BadMoney(text)
    units, cents = _split(cleaned)
    if not units.isdigit() or (cents and not cents.isdigit()):
        raise BadMoney(text)
    value = int(units) * 100 + int(cents.ljust(2, "0") if cents else "0")
    if value > MAX_CENTS:
        raise BadMoney(text)
    return value


def _split(cleaned: str) -> tuple[str, str]:
    """(whole units without separators, cents digits)."""
    last = max(cleaned.rfind(","), cleaned.rfind("."))
    if last < 0:
        return cleaned, ""
    tail = cleaned[last + 1 :]
    if len(tail) in (1, 2):
        head = cleaned[:last]
        _check_groups(head)
        return re.sub(r"[.,]", "", head), tail
    _check_groups(cleaned)
    return re.sub(r"[.,]", "", cleaned), ""


def _check_groups(number: str) -> None:
    """Thousands separators: one kind, groups of three after the first."""
    if not re.search(r"[.,]", number):
        return
    if "," in number and "." in number:
        raise BadMoney(number)
    groups = re.split(r"[.,]", number)
    if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
        raise BadMoney(number)


def format_brl(cents: int, language: str) -> str:
    """``R$ 1.234,56`` in pt-BR, ``R$1,234.56`` in English."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    grouped = f"{units:,}"
    if normalise_language(language) == "pt-BR":
        return f"{sign}R$ {grouped.replace(',', '.')},{rest:02d}"
    return f"{sign}R${grouped}.{rest:02d}"


def money_input(cents: int, language: str) -> str:
    """The value as a form shows it for editing: ``1234,56`` / ``1234.56`` (no grouping)."""
    units, rest = divmod(cents, 100)
    separator = "," if normalise_language(language) == "pt-BR" else "."
    return f"{units}{separator}{rest:02d}" if rest else str(units)
