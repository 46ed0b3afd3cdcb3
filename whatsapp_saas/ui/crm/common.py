"""Helpers shared by the CRM states: running a service, per-field errors, shown values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm.fields import FieldErrors
from whatsapp_saas.crm.models import FieldDefinition, FieldType
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.db import in_session

T = TypeVar("T")


class Refused(Exception):
    """A service refused: ``message`` is translated; ``fields`` maps field names to theirs."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


async def call(
    state: AppState,
    work: Callable[[TenantScope, CurrentUser], T],
    *,
    managers_only: bool = False,
) -> T:
    """Run ``work`` as the signed-in user; every refusal comes back as :class:`Refused`."""
    user = await state._current_user()
    if user is None:
        state._forget()
        raise Refused(state._tr("auth.session_ended"))
    try:
        if managers_only and not user.is_manager:
            raise PermissionDenied()
        return await in_session(lambda s: work(TenantScope(s, user.tenant_id), user))
    except FieldErrors as err:
        fields = {k: state._tr(v) for k, v in err.errors.items()}
        raise Refused(state._error_text(err), fields) from err
    except UserError as err:
        raise Refused(state._error_text(err)) from err
    except LookupError as err:
        raise Refused(state._tr("error.not_found")) from err


def shown_value(definition: FieldDefinition, value: Any, yes: str, no: str) -> str:
    """A stored field value as a person reads it."""
    if value is None or value == "" or value == []:
        return ""
    if definition.type == FieldType.CHECKBOX:
        return yes if value else no
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if definition.type == FieldType.CURRENCY:
        return f"{definition.currency} {value}"
    if definition.type == FieldType.PERCENT:
        return f"{value}%"
    return str(value)


def input_value(definition: FieldDefinition, value: Any) -> str:
    """A stored value as an edit box shows it (what typing it back would store again)."""
    if value is None:
        return ""
    if definition.type == FieldType.CHECKBOX:
        return "true" if value else ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_rows(
    state: AppState, definitions: list[FieldDefinition], values: dict[str, Any]
) -> list[dict[str, str]]:
    yes, no = state._tr("crm.yes"), state._tr("crm.no")
    return [
        {
            "key": d.key,
            "label": d.label,
            "type": d.type,
            "shown": shown_value(d, values.get(d.key), yes, no),
            "value": input_value(d, values.get(d.key)),
            "options": "|".join(d.options),
            "input_type": INPUT_TYPES.get(d.type, "text"),
        }
        for d in definitions
    ]


INPUT_TYPES = {
    FieldType.DATE.value: "date",
    FieldType.EMAIL.value: "text",
    FieldType.URL.value: "text",
    FieldType.PHONE.value: "tel",
    FieldType.NUMBER.value: "text",
}


def form_fields(form: dict[str, Any], definitions: list[dict[str, str]]) -> dict[str, Any]:
    """Custom field values from a form whose inputs are named ``field-<key>``."""
    values: dict[str, Any] = {}
    for d in definitions:
        name = f"field-{d['key']}"
        if d["type"] == FieldType.CHECKBOX.value:
            values[d["key"]] = bool(form.get(name))
        elif d["type"] == FieldType.MULTI_SELECT.value:
            picked = [o for o in d["options"].split("|") if o and form.get(f"{name}-{o}")]
            values[d["key"]] = picked
        elif name in form:
            values[d["key"]] = str(form.get(name) or "")
    return values
