"""Reading one CSV row as a contact: mapping, proposal from headers, cleaned values.

Shared by the preview (what will be stored) and the import itself, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from whatsapp_saas.crm.field_types import clean_email
from whatsapp_saas.crm.fields import FieldErrors, validate_values
from whatsapp_saas.crm.models import FieldDefinition, FieldEntity
from whatsapp_saas.errors import UserError
from whatsapp_saas.phones import to_e164
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.text_fold import fold

CORE_TARGETS = ("name", "phone", "email", "company", "tags", "lid")
NAME_MAX = 120
# Header words, folded, Portuguese and English.
SYNONYMS: dict[str, set[str]] = {
    "name": {"nome", "name", "nome completo", "full name", "contato", "contact", "cliente"},
    "phone": {
        "telefone",
        "phone",
        "celular",
        "whatsapp",
        "fone",
        "numero",
        "number",
        "mobile",
        "tel",
        "phone number",
        "telefone celular",
        "cel",
    },
    "email": {"email", "e-mail", "e mail", "mail", "correio eletronico"},
    "company": {"empresa", "company", "organizacao", "organization", "companhia", "razao social"},
    "tags": {"tags", "tag", "etiquetas", "etiqueta", "marcadores", "labels", "label"},
    "lid": {"lid", "whatsapp lid"},
}


def propose_mapping(header: Sequence[str], definitions: Sequence[FieldDefinition]) -> list[str]:
    """A target for each column ("" = ignore), from its header; each target used once."""
    taken: set[str] = set()
    proposal: list[str] = []
    by_name = {fold(d.key): f"field:{d.key}" for d in definitions}
    by_name.update({fold(d.label): f"field:{d.key}" for d in definitions})
    for cell in header:
        word = " ".join(fold(cell).replace("_", " ").split())
        target = next((t for t, words in SYNONYMS.items() if word in words), "")
        target = target or by_name.get(word, "") or by_name.get(word.replace(" ", "_"), "")
        if target in taken:
            target = ""
        taken.add(target)
        proposal.append(target)
    return proposal


@dataclass
class ParsedRow:
    name: str | None = None
    phone: str | None = None
    lid: str | None = None
    email: str | None = None
    company: str | None = None
    tags: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


class RowError(UserError):
    """Why a row cannot be imported: an i18n code and the offending value."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(code, value=value)
        self.value = value

    @property
    def stored(self) -> str:
        return f"{self.code}|{self.value}"[:200]


def raw_values(cells: Sequence[str], mapping: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for index, target in enumerate(mapping):
        if target and index < len(cells) and cells[index].strip():
            found[target] = cells[index].strip()
    return found


def parse_row(
    scope: TenantScope, *, cells: Sequence[str], mapping: Sequence[str], region: str | None
) -> ParsedRow:
    """The row as it will be stored, or :class:`RowError` (the first problem found)."""
    raw = raw_values(cells, mapping)
    row = ParsedRow()
    if "phone" in raw:
        row.phone = to_e164(raw["phone"], region)
        if row.phone is None:
            raise RowError("crm.import_bad_phone", raw["phone"])
    if "lid" in raw:
        lid = raw["lid"].removesuffix("@lid")
        if not lid.isdigit():
            raise RowError("crm.import_bad_lid", raw["lid"])
        row.lid = lid
    if "email" in raw:
        try:
            row.email = clean_email(raw["email"])
        except UserError as exc:
            raise RowError("crm.import_bad_email", raw["email"]) from exc
    if not (row.phone or row.lid or row.email):
        raise RowError("crm.import_no_id")
    row.name = _limited(raw.get("name"), "name")
    row.company = _limited(raw.get("company"), "company")
    row.tags = [
        t.strip()[:40] for t in raw.get("tags", "").replace(";", ",").split(",") if t.strip()
    ]
    row.fields = _fields(scope, raw)
    return row


def _limited(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if len(cleaned) > NAME_MAX:
        raise RowError("crm.import_too_long", what)
    return cleaned


def _fields(scope: TenantScope, raw: Mapping[str, str]) -> dict[str, Any]:
    values = {k.removeprefix("field:"): v for k, v in raw.items() if k.startswith("field:")}
    if not values:
        return {}
    try:
        return validate_values(scope, entity=FieldEntity.CONTACT.value, values=values)
    except FieldErrors as err:
        key, code = next(iter(err.errors.items()))
        raise RowError(code, f"{key}: {values.get(key, '')}") from err
