"""Typed custom fields: the tenant's definitions, and the one validator every write goes through.

:func:`validate_values` checks a whole set of values before anything is written: any invalid
value raises :class:`FieldErrors` with one i18n code per field, and nothing changes. Values are
stored cleaned: numbers as numbers, currency as a string with two decimals ("1234.50", exact),
dates as ISO "2026-12-02", phones in E.164, multi-selects as lists, checkboxes as booleans.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import col

from whatsapp_saas.crm.field_types import clean_value
from whatsapp_saas.crm.models import FieldDefinition, FieldEntity, FieldType
from whatsapp_saas.errors import UserError
from whatsapp_saas.tenancy.scope import TenantScope

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LABEL_MAX = 80
OPTIONS_MAX = 100


class FieldErrors(UserError):
    """Some values are invalid: ``errors`` maps each field key to its i18n code."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("crm.error_fields_invalid", count=len(errors))
        self.errors = dict(errors)


def definitions(
    scope: TenantScope, *, entity: str = FieldEntity.CONTACT.value
) -> list[FieldDefinition]:
    rows = scope.all(FieldDefinition, FieldDefinition.entity == entity)
    return sorted(rows, key=lambda d: (d.position, d.id or 0))


def validate_values(
    scope: TenantScope, *, entity: str, values: Mapping[str, Any]
) -> dict[str, Any]:
    """The cleaned values (None clears a field), or :class:`FieldErrors`; writes nothing."""
    known = {d.key: d for d in definitions(scope, entity=entity)}
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        definition = known.get(key)
        if definition is None:
            errors[key] = "crm.error_field_unknown"
            continue
        try:
            cleaned[key] = clean_value(definition, raw)
        except UserError as err:
            errors[key] = err.code
    if errors:
        raise FieldErrors(errors)
    return cleaned


def create_definition(
    scope: TenantScope,
    *,
    entity: str,
    key: str,
    label: str,
    type: str,
    options: Sequence[str] = (),
    pattern: str | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
    currency: str = "BRL",
) -> FieldDefinition:
    _check_definition(entity, key, label, type, options, pattern, min_value, max_value)
    if scope.first(FieldDefinition, FieldDefinition.entity == entity, FieldDefinition.key == key):
        raise UserError("crm.error_field_key_taken")
    position = len(definitions(scope, entity=entity))
    definition = FieldDefinition(
        tenant_id=scope.tenant_id,
        entity=entity,
        key=key,
        label=" ".join(label.split()),
        type=type,
        options=[o.strip() for o in options if o.strip()],
        pattern=pattern or None,
        min_value=min_value,
        max_value=max_value,
        currency=(currency or "BRL").upper()[:3],
        position=position,
    )
    scope.add(definition)
    scope.session.flush()
    return definition


def delete_definition(scope: TenantScope, *, definition_id: int) -> None:
    """Forget a field; values already stored stay in the rows but are no longer shown."""
    scope.delete(FieldDefinition, definition_id)


def _check_definition(
    entity: str,
    key: str,
    label: str,
    type: str,
    options: Sequence[str],
    pattern: str | None,
    min_value: float | None,
    max_value: float | None,
) -> None:
    if entity not in {e.value for e in FieldEntity}:
        raise UserError("crm.error_field_entity")
    if not KEY_RE.match(key):
        raise UserError("crm.error_field_key")
    if not label.strip() or len(label) > LABEL_MAX:
        raise UserError("error.name_required")
    if type not in {t.value for t in FieldType}:
        raise UserError("crm.error_field_type")
    choices = [o for o in options if o.strip()]
    if type in (FieldType.SELECT, FieldType.MULTI_SELECT) and not choices:
        raise UserError("crm.error_field_options")
    if len(choices) > OPTIONS_MAX:
        raise UserError("crm.error_field_options")
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UserError("crm.error_field_pattern") from exc
    if min_value is not None and max_value is not None and min_value > max_value:
        raise UserError("crm.error_field_range")


def searchable_text(values: Mapping[str, Any]) -> str:
    """The values as words, for the search document."""
    parts: list[str] = []
    for value in values.values():
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif value is not None and not isinstance(value, bool):
            parts.append(str(value))
    return " ".join(parts)


def known_keys(scope: TenantScope, *, entity: str = FieldEntity.CONTACT.value) -> set[str]:
    rows = scope.session.exec(
        scope.select(FieldDefinition).where(col(FieldDefinition.entity) == entity)
    ).all()
    return {r.key for r in rows}
