"""Campaign recipients from a CSV of phone numbers, validated row by row.

Accepted: one phone per line, optionally followed by a name (``phone,name``), with or without
a header row. The file is read by :mod:`whatsapp_saas.csvfiles` (encoding, ``;``/``,``/tab,
quoting) and phones by :mod:`whatsapp_saas.phones`: numbers without a country code are read in
the tenant's region. Each bad row gets its own error with its line number; good rows are kept,
and repeats of the same number are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whatsapp_saas.csvfiles import read_csv
from whatsapp_saas.errors import UserError
from whatsapp_saas.phones import to_e164

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
    separator: str = ","


def parse_recipients(content: str | bytes, region: str | None = "BR") -> CsvResult:
    table = read_csv(content, max_rows=MAX_ROWS + 1)
    if len(table.rows) > MAX_ROWS:
        raise UserError("error.sched_campaign_csv_too_big", limit=MAX_ROWS)
    result = CsvResult(separator=table.separator)
    seen: set[str] = set()
    for line, cells in enumerate(table.rows, start=1):
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


def parse_phone(value: str, region: str | None) -> tuple[str, str | None]:
    """(E.164, None), or ("", the i18n key of what is wrong with ``value``)."""
    if not value:
        return "", "error.sched_campaign_csv_phone_missing"
    e164 = to_e164(value, region)
    if e164 is None:
        return "", "error.sched_campaign_csv_phone_invalid"
    return e164, None
