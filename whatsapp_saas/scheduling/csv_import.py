"""Campaign recipients from a CSV of phone numbers, validated row by row.

Accepted: one phone per line, optionally followed by a name (``phone,name``), with or without
a header row; commas or semicolons (Brazilian spreadsheets export with ``;``). Numbers without
a country code are read in the tenant's region. Each bad row gets its own error with its line
number; good rows are kept, and repeats of the same number are dropped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import phonenumbers

from whatsapp_saas.errors import UserError

MAX_ROWS = 50_000
HEADER_WORDS = {"phone", "telefone", "numero", "número", "celular", "whatsapp", "number"}


@dataclass(frozen=True)
class CsvRecipient:
    line: int
    phone: str  # E.164
    name: str | None


@dataclass(frozen=True)
class CsvRowError:
    line: int
    value: str
    code: str  # i18n key


@dataclass
class CsvResult:
    recipients: list[CsvRecipient] = field(default_factory=list)
    errors: list[CsvRowError] = field(default_factory=list)
    duplicates: int = 0


def parse_recipients(text: str, region: str | None = "BR") -> CsvResult:
    result = CsvResult()
    seen: set[str] = set()
    rows = list(csv.reader(io.StringIO(text), delimiter=_delimiter(text)))
    if len(rows) > MAX_ROWS:
        raise UserError("error.sched_campaign_csv_too_big", limit=MAX_ROWS)
    for line, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or (line == 1 and cells[0].lower() in HEADER_WORDS):
            continue
        phone, error = parse_phone(cells[0], region)
        if error:
            result.errors.append(CsvRowError(line, cells[0], error))
        elif phone in seen:
            result.duplicates += 1
        else:
            seen.add(phone)
            name = cells[1][:120] if len(cells) > 1 and cells[1] else None
            result.recipients.append(CsvRecipient(line, phone, name))
    return result


def _delimiter(text: str) -> str:
    first = text.splitlines()[0] if text.strip() else ""
    return ";" if first.count(";") > first.count(",") else ","


def parse_phone(value: str, region: str | None) -> tuple[str, str | None]:
    """(E.164, None), or ("", the i18n key of what is wrong with ``value``)."""
    if not value:
        return "", "error.sched_campaign_csv_phone_missing"
    # As typed (national numbers read in ``region``), then as an international number whose
    # "+" was lost on the way through a spreadsheet ("5511988881001").
    attempts = [(value, region)]
    if not value.startswith("+"):
        attempts.append(("+" + value, None))
    for text, where in attempts:
        try:
            parsed = phonenumbers.parse(text, where)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None
    return "", "error.sched_campaign_csv_phone_invalid"
