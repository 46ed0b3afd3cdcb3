"""Running a scheduling action as the signed-in user, and reading form values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx

from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.errors import UserError
from whatsapp_saas.phones import require_e164
from whatsapp_saas.scheduling.campaigns import region_for
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.actions import Outcome, act

__all__ = ["Outcome", "act", "field", "field_error", "form_reset", "local_datetime", "read_upload"]

# Which form field an error belongs to (the Scheduling page's forms share field names).
FIELD_OF_ERROR = {
    "error.phone_invalid": "phone",
    "error.sched_choose_contact": "contact_id",
    "error.sched_choose_number": "number_id",
    "error.sched_date_invalid": "when",
    "error.sched_in_past": "when",
    "error.sched_empty": "text",
    "error.too_long": "text",
    "error.sched_campaign_text_required": "text",
    "error.sched_campaign_variable_unknown": "text",
    "error.sched_campaign_too_many_variants": "variants",
    "error.name_required": "name",
    "error.sched_campaign_no_recipients": "recipients",
    "error.sched_followup_no_steps": "steps",
    "error.sched_followup_delay_invalid": "steps",
    "error.sched_followup_text_invalid": "steps",
}


def field_error(outcome: Outcome[Any]) -> dict[str, str]:
    """{field name: message} for an error that belongs to one field; {} otherwise."""
    name = FIELD_OF_ERROR.get(outcome.code)
    return {name: outcome.error} if name and outcome.error else {}


async def read_upload(file: rx.UploadFile) -> bytes:
    """An uploaded file's bytes: one call, so limits on what is read can wrap it."""
    return await file.read()


def form_reset(form_id: str) -> Any:
    """Empty a form after it was saved; a refused form keeps what the person typed."""
    return rx.call_script(f"document.getElementById({form_id!r})?.reset()")


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
        e164 = require_e164(phone, region_for(scope, number_id=number_id))
        contact = create_contact(scope, phone=e164)
        assert contact.id is not None
        return contact.id
    return chosen_id(form, "contact_id", "error.sched_choose_contact")
