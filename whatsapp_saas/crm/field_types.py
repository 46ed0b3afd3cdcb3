"""Cleaning one custom field value by its type (raises ``UserError`` with a per-field code)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

from whatsapp_saas.crm.models import FieldDefinition, FieldType
from whatsapp_saas.errors import UserError
from whatsapp_saas.phones import to_e164

TEXT_MAX = 500
LONG_TEXT_MAX = 5000
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRUE_WORDS = {"1", "true", "yes", "sim", "on", "x", "s", "y", "verdadeiro"}
FALSE_WORDS = {"0", "false", "no", "nao", "não", "off", "n", "falso", ""}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def clean_value(definition: FieldDefinition, raw: Any) -> Any:
    """``raw`` as stored for this field; None (or blank) clears it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return False if definition.type == FieldType.CHECKBOX else None
    cleaner = CLEANERS[FieldType(definition.type)]
    value = cleaner(definition, raw)
    _check_pattern(definition, value)
    return value


def _text(limit: int) -> Callable[[FieldDefinition, Any], Any]:
    def clean(_d: FieldDefinition, raw: Any) -> str:
        text = str(raw).strip()
        if len(text) > limit:
            raise UserError("crm.error_value_too_long")
        return text

    return clean


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise UserError("crm.error_value_number")
    text = str(raw).strip().replace("R$", "").replace("%", "").replace(" ", "")
    if "," in text:  # Brazilian "1.234,56": dots group thousands, the comma is the decimal
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise UserError("crm.error_value_number") from exc
    if not number.is_finite():
        raise UserError("crm.error_value_number")
    return number


def _in_range(definition: FieldDefinition, number: Decimal) -> None:
    if definition.min_value is not None and number < Decimal(str(definition.min_value)):
        raise UserError("crm.error_value_range")
    if definition.max_value is not None and number > Decimal(str(definition.max_value)):
        raise UserError("crm.error_value_range")


def _number(definition: FieldDefinition, raw: Any) -> int | float:
    number = _decimal(raw)
    _in_range(definition, number)
    return int(number) if number == number.to_integral_value() else float(number)


def _currency(definition: FieldDefinition, raw: Any) -> str:
    number = _decimal(raw)
    _in_range(definition, number)
    return str(number.quantize(Decimal("0.01")))


def _percent(definition: FieldDefinition, raw: Any) -> int | float:
    number = _decimal(raw)
    unbounded = definition.min_value is None and definition.max_value is None
    if unbounded and not Decimal(0) <= number <= Decimal(100):
        raise UserError("crm.error_value_range")
    _in_range(definition, number)
    return int(number) if number == number.to_integral_value() else float(number)


def _date(_d: FieldDefinition, raw: Any) -> str:
    if isinstance(raw, date):
        return raw.isoformat()
    text = str(raw).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise UserError("crm.error_value_date")


def _select(definition: FieldDefinition, raw: Any) -> str:
    text = str(raw).strip()
    for option in definition.options:
        if option.casefold() == text.casefold():
            return option
    raise UserError("crm.error_value_option")


def _multi(definition: FieldDefinition, raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else re.split(r"[;,|]", str(raw))
    chosen = [_select(definition, item) for item in items if str(item).strip()]
    return list(dict.fromkeys(chosen))


def _checkbox(_d: FieldDefinition, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise UserError("crm.error_value_checkbox")


def _url(_d: FieldDefinition, raw: Any) -> str:
    text = str(raw).strip()
    if "://" not in text:
        text = "https://" + text
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or "." not in parsed.netloc or " " in text:
        raise UserError("crm.error_value_url")
    if len(text) > TEXT_MAX:
        raise UserError("crm.error_value_too_long")
    return text


def clean_email(raw: Any) -> str:
    text = str(raw).strip().lower()
    if len(text) > 254 or not EMAIL_RE.match(text):
        raise UserError("crm.error_value_email")
    return text


def _email(_d: FieldDefinition, raw: Any) -> str:
    return clean_email(raw)


def _phone(_d: FieldDefinition, raw: Any) -> str:
    e164 = to_e164(str(raw))
    if e164 is None:
        raise UserError("crm.error_value_phone")
    return e164


def _check_pattern(definition: FieldDefinition, value: Any) -> None:
    if not definition.pattern or not isinstance(value, str):
        return
    if re.fullmatch(definition.pattern, value) is None:
        raise UserError("crm.error_value_pattern")


CLEANERS: dict[FieldType, Callable[[FieldDefinition, Any], Any]] = {
    FieldType.TEXT: _text(TEXT_MAX),
    FieldType.LONG_TEXT: _text(LONG_TEXT_MAX),
    FieldType.NUMBER: _number,
    FieldType.CURRENCY: _currency,
    FieldType.PERCENT: _percent,
    FieldType.DATE: _date,
    FieldType.SELECT: _select,
    FieldType.MULTI_SELECT: _multi,
    FieldType.CHECKBOX: _checkbox,
    FieldType.URL: _url,
    FieldType.EMAIL: _email,
    FieldType.PHONE: _phone,
}
