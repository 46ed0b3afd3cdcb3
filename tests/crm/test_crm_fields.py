"""Custom field definitions and the validator: a clear error per field, and nothing changes."""

from __future__ import annotations

import pytest

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm import fields, profile
from whatsapp_saas.crm.fields import FieldErrors

DEFS = [
    ("city", "City", "text", {}),
    ("notes", "Notes", "long_text", {}),
    ("score", "Score", "number", {"min_value": 0, "max_value": 10}),
    ("budget", "Budget", "currency", {}),
    ("discount", "Discount", "percent", {}),
    ("birthday", "Birthday", "date", {}),
    ("plan", "Plan", "select", {"options": ["Basic", "Pro"]}),
    ("channels", "Channels", "multi_select", {"options": ["Email", "SMS", "WhatsApp"]}),
    ("vip", "VIP", "checkbox", {}),
    ("site", "Site", "url", {}),
    ("work_email", "Work email", "email", {}),
    ("landline", "Landline", "phone", {}),
    ("cpf", "CPF", "text", {"pattern": r"\d{3}\.\d{3}\.\d{3}-\d{2}"}),
]


def _define(tenant_id: int) -> None:
    def work(scope):  # type: ignore[no-untyped-def]
        for key, label, type_, extra in DEFS:
            fields.create_definition(
                scope, entity="contact", key=key, label=label, type=type_, **extra
            )

    run(tenant_id, work)


def test_every_type_is_cleaned(world: World) -> None:
    _define(world.a.tenant_id)
    raw = {
        "city": "  São Paulo ",
        "notes": "long\ntext",
        "score": "7",
        "budget": "1.234,5",
        "discount": "12,5%",
        "birthday": "25/12/1990",
        "plan": "pro",
        "channels": "email; WhatsApp",
        "vip": "sim",
        "site": "example.com",
        "work_email": "Ana@Example.COM",
        "landline": "(11) 3333-4444",
        "cpf": "123.456.789-09",
    }
    cleaned = run(
        world.a.tenant_id, lambda s: fields.validate_values(s, entity="contact", values=raw)
    )
    assert cleaned == {
        "city": "São Paulo",
        "notes": "long\ntext",
        "score": 7,
        "budget": "1234.50",
        "discount": 12.5,
        "birthday": "1990-12-25",
        "plan": "Pro",
        "channels": ["Email", "WhatsApp"],
        "vip": True,
        "site": "https://example.com",
        "work_email": "ana@example.com",
        "landline": "+551133334444",
        "cpf": "123.456.789-09",
    }


def test_each_bad_value_gets_its_own_error(world: World) -> None:
    _define(world.a.tenant_id)
    bad = {
        "score": "11",
        "budget": "lots",
        "discount": "120",
        "birthday": "31/02/2020",
        "plan": "Gold",
        "channels": "Fax",
        "vip": "maybe",
        "site": "not a url",
        "work_email": "ana@",
        "landline": "123",
        "cpf": "12345678909",
        "nope": "x",
    }
    with pytest.raises(FieldErrors) as caught:
        run(world.a.tenant_id, lambda s: fields.validate_values(s, entity="contact", values=bad))
    assert caught.value.errors == {
        "score": "crm.error_value_range",
        "budget": "crm.error_value_number",
        "discount": "crm.error_value_range",
        "birthday": "crm.error_value_date",
        "plan": "crm.error_value_option",
        "channels": "crm.error_value_option",
        "vip": "crm.error_value_checkbox",
        "site": "crm.error_value_url",
        "work_email": "crm.error_value_email",
        "landline": "crm.error_value_phone",
        "cpf": "crm.error_value_pattern",
        "nope": "crm.error_field_unknown",
    }


def test_an_invalid_edit_changes_nothing(world: World) -> None:
    _define(world.a.tenant_id)
    owner = world.a.owner
    cid = make_contact(owner, "+5511988887777", "Ana", fields={"city": "Rio"})
    with pytest.raises(FieldErrors) as caught:
        run(
            owner.tenant_id,
            lambda s: profile.update_profile(
                s,
                actor=owner,
                contact_id=cid,
                changes={
                    "name": "Ana Maria",
                    "email": "bad",
                    "fields": {"city": "Recife", "score": "x"},
                },
            ),
        )
    assert set(caught.value.errors) == {"email", "field:score"}
    contact = run(owner.tenant_id, lambda s: s.get(Contact, cid))
    assert contact.name == "Ana" and contact.email is None
    assert contact.custom_fields == {"city": "Rio"}


def test_definitions_are_per_tenant(world: World) -> None:
    _define(world.a.tenant_id)
    with pytest.raises(FieldErrors):
        run(
            world.b.tenant_id,
            lambda s: fields.validate_values(s, entity="contact", values={"city": "x"}),
        )
