"""A deal form as typed, checked field by field: every complaint at once, nothing stored.

:class:`DealInvalid` carries ``errors`` (form field name -> i18n key), so the form shows each
message under its own field; its own code is the generic "check the fields" message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from whatsapp_saas.deals.money import BadMoney, parse_money
from whatsapp_saas.errors import UserError

TITLE_MAX = 160


class DealInvalid(UserError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("deals.check_fields")
        self.errors = dict(errors)


@dataclass(frozen=True)
class DealForm:
    """The deal form's fields as the browser sends them (all text)."""

    title: str = ""
    contact_id: str = ""
    value: str = ""
    owner_id: str = ""
    expected_close: str = ""
    stage_id: str = ""
    conversation_id: str = ""

    @staticmethod
    def of(form: dict[str, object]) -> DealForm:
        def get(name: str) -> str:
            return str(form.get(name) or "").strip()

        return DealForm(
            title=get("title"),
            contact_id=get("contact_id"),
            value=get("value"),
            owner_id=get("owner_id"),
            expected_close=get("expected_close"),
            stage_id=get("stage_id"),
            conversation_id=get("conversation_id"),
        )


@dataclass(frozen=True)
class DealValues:
    """A deal's own fields, parsed; the service checks the ids against the tenant."""

    title: str
    contact_id: int
    stage_id: int
    value_cents: int = 0
    owner_id: int | None = None
    expected_close: date | None = None
    conversation_id: int | None = None


def parse_form(form: DealForm) -> DealValues:
    errors: dict[str, str] = {}
    title = " ".join(form.title.split())
    if not title:
        errors["title"] = "deals.title_required"
    elif len(title) > TITLE_MAX:
        errors["title"] = "deals.title_too_long"
    contact_id = _id(form.contact_id, "contact_id", "deals.contact_required", errors)
    stage_id = _id(form.stage_id, "stage_id", "deals.stage_required", errors)
    owner_id = _id(form.owner_id, "owner_id", "", errors)
    conversation_id = _id(form.conversation_id, "conversation_id", "", errors)
    value = 0
    try:
        value = parse_money(form.value)
    except BadMoney:
        errors["value"] = "deals.bad_value"
    close = _date(form.expected_close, errors)
    if errors:
        raise DealInvalid(errors)
    assert contact_id is not None and stage_id is not None
    return DealValues(title, contact_id, stage_id, value, owner_id, close, conversation_id)


def _id(text: str, name: str, required: str, errors: dict[str, str]) -> int | None:
    if not text:
        if required:
            errors[name] = required
        return None
    if not text.isdigit() or len(text) > 18:
        errors[name] = "deals.not_found"
        return None
    return int(text)


def _date(text: str, errors: dict[str, str]) -> date | None:
    if not text:
        return None
    try:
        found = date.fromisoformat(text)
    except ValueError:
        errors["expected_close"] = "deals.bad_date"
        return None
    if not 2000 <= found.year <= 2100:
        errors["expected_close"] = "deals.bad_date"
        return None
    return found
