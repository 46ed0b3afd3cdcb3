"""Message variables: ``{{contact.first_name}}``, ``{{contact.name}}``,
``{{contact.fields.<key>}}``. Unknown variables and missing fields render empty, never as
the raw placeholder a customer would find odd."""

from __future__ import annotations

import re

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.i18n import DEFAULT_LANGUAGE, translate
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope

_VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[A-Za-z0-9_\-]+)*)\s*\}\}")


def values_for(scope: TenantScope, *, contact: Contact | None) -> dict[str, str]:
    """:func:`contact_values` in the tenant's language (a checkbox field reads "Sim"/"Yes")."""
    tenant = scope.session.get(Tenant, scope.tenant_id)
    return contact_values(contact, language=tenant.language if tenant else DEFAULT_LANGUAGE)


def contact_values(contact: Contact | None, *, language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The values a template may use, for ``contact`` (None in a dry run without one)."""
    if contact is None:
        return {}
    name = (contact.name or contact.push_name or "").strip()
    values = {"contact.name": name, "contact.first_name": name.split(" ")[0] if name else ""}
    for key, value in (contact.custom_fields or {}).items():  # as crm.fields stored them
        values[f"contact.fields.{key}"] = _field_text(value, language)
    return values


def _field_text(value: object, language: str) -> str:
    """A stored custom field value as text: a multi-select's choices joined by commas, a
    checkbox as the customer's word for yes or no (never "True")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return translate(language, "crm.yes" if value else "crm.no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None)
    return str(value)


def render(template: str, values: dict[str, str]) -> str:
    return _VARIABLE.sub(lambda m: values.get(m.group(1), ""), template)
