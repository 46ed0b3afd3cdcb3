"""Running a scheduling action as the signed-in user, and reading form values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.errors import UserError
from whatsapp_saas.scheduling.campaigns import region_for
from whatsapp_saas.scheduling.csv_import import parse_phone
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import Outcome, act

__all__ = ["Outcome", "act", "field", "local_datetime"]


def field(form: dict[str, Any], name: str) -> str:
    return str(form.get(name) or "").strip()


def local_datetime(
    form: dict[str, Any], date_name: str = "date", time_name: str = "time"
) -> datetime:
    """A wall-clock time from a date input ("2030-01-15") and a time input ("09:30")."""
    try:
        return datetime.strptime(
            f"{field(form, date_name)} {field(form, time_name)}", "%Y-%m-%d %H:%M"
        )
    except ValueError as exc:
        raise UserError("error.sched_date_invalid") from exc


def chosen_id(form: dict[str, Any], name: str, error: str) -> int:
    value = field(form, name)
    if not value.isdigit():
        raise UserError(error)
    return int(value)


def contact_from_form(scope: TenantScope, form: dict[str, Any], number_id: int) -> int:
    """The picked contact, or a contact for the typed phone number (created if new)."""
    phone = field(form, "phone")
    if phone:
        e164, error = parse_phone(phone, region_for(scope, number_id))
        if error:
            raise UserError(error)
        contact = create_contact(scope, phone=e164)
        assert contact.id is not None
        return contact.id
    return chosen_id(form, "contact_id", "error.sched_choose_contact")
