"""Message variables: ``{{contact.first_name}}``, ``{{contact.name}}``,
``{{contact.fields.<key>}}``. Unknown variables and missing fields render empty, never as
the raw placeholder a customer would find odd."""

from __future__ import annotations

import re
from typing import Any

from whatsapp_saas.contacts.models import Contact

_VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[A-Za-z0-9_\-]+)*)\s*\}\}")


def contact_values(contact: Contact | None) -> dict[str, str]:
    """The values a template may use, for ``contact`` (None in a dry run without one)."""
    if contact is None:
        return {}
    name = (contact.name or contact.push_name or "").strip()
    values = {"contact.name": name, "contact.first_name": name.split(" ")[0] if name else ""}
    fields: Any = getattr(contact, "fields", None)  # custom fields arrive with the CRM
    if isinstance(fields, dict):
        for key, value in fields.items():
            values[f"contact.fields.{key}"] = "" if value is None else str(value)
    return values


def render(template: str, values: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: values.get(m.group(1), ""), template)
