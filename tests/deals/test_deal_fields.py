"""Deal custom fields through the deal form's own pieces: the inputs it draws (``field_rows``),
the values it reads back (``form_fields``), the service's per-field errors, the edit form's
loaded values and the board card's compact field lines."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deals.conftest import DealWorld, Side
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm.fields import create_definition
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.models import Deal
from whatsapp_saas.deals.validation import DealInvalid, DealValues
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.crm.common import field_rows, form_fields
from whatsapp_saas.ui.pipeline import loaders


class _Words:
    """What ``field_rows`` needs of a state: its translations (the keys themselves here)."""

    def _tr(self, key: str, **_params: object) -> str:
        return key


def _define(side: Side) -> None:
    with session_scope() as s:
        scope = TenantScope(s, side.w.tenant_id)
        create_definition(scope, entity="deal", key="flavour", label="Sabor", type="text")
        create_definition(
            scope, entity="deal", key="discount", label="Desconto", type="percent", max_value=30
        )
        create_definition(
            scope, entity="deal", key="size", label="Tamanho", type="select", options=["P", "G"]
        )
        create_definition(scope, entity="deal", key="rush", label="Urgente", type="checkbox")
        # A contact field never shows on a deal.
        create_definition(scope, entity="contact", key="cpf", label="CPF", type="text")


def _rows(side: Side, values: dict[str, Any]) -> list[dict[str, str]]:
    with session_scope() as s:
        return field_rows(_Words(), loaders.deal_fields(s, side.w.owner), values)  # type: ignore[arg-type]


def _cards(side: Side, actor: CurrentUser) -> list[Any]:
    with session_scope() as s:
        columns = loaders.columns(
            TenantScope(s, side.w.tenant_id), actor, side.pipeline_id, "pt-BR", {}
        )
    return [card for column in columns for card in column.cards]


def test_the_form_draws_one_input_per_deal_field_by_type(deal_world: DealWorld) -> None:
    a = deal_world.a
    _define(a)
    rows = _rows(a, {})
    assert [(r["key"], r["type"], r["value"]) for r in rows] == [
        ("flavour", "text", ""),
        ("discount", "percent", ""),
        ("size", "select", ""),
        ("rush", "checkbox", ""),
    ]
    assert rows[2]["options"] == "P|G"
    assert _rows(deal_world.b, {}) == []  # another tenant's definitions are its own


def test_a_valid_field_value_is_saved_and_shown_on_its_card(deal_world: DealWorld) -> None:
    a = deal_world.a
    _define(a)
    rows = _rows(a, {})
    form = {"field-flavour": "Chocolate", "field-discount": "", "field-size": "G", "field-rush": ""}
    fields = form_fields(form, rows)
    values = DealValues("Bolo de festa", a.open_contact, a.stages[0])
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        assert deals.field_errors(scope, fields=fields) == {}
        deal = deals.create_deal(scope, actor=a.w.owner, values=values, fields=fields)
        deal_id = int(deal.id or 0)
    [card] = _cards(a, a.w.owner)
    # The first two filled fields, in the definitions' order (the empty discount is skipped).
    assert (card.field_1, card.field_2) == ("Sabor: Chocolate", "Tamanho: G")

    # The edit form loads the stored values into its inputs.
    with session_scope() as s:
        found = loaders.deal_details(s, a.w.owner, deal_id, "pt-BR", "America/Sao_Paulo")
    edit = {r["key"]: r["value"] for r in _rows(a, found.fields)}
    assert edit == {"flavour": "Chocolate", "discount": "", "size": "G", "rush": ""}

    # An edit saves the fields through the service; the card follows.
    form = {"field-flavour": "", "field-discount": "10", "field-size": "G", "field-rush": "on"}
    with session_scope() as s:
        deals.update_deal(
            TenantScope(s, a.w.tenant_id),
            actor=a.w.owner,
            deal_id=deal_id,
            values=values,
            fields=form_fields(form, rows),
        )
    [card] = _cards(a, a.w.owner)
    assert (card.field_1, card.field_2) == ("Desconto: 10%", "Tamanho: G")


def test_an_invalid_field_value_is_named_and_nothing_is_saved(deal_world: DealWorld) -> None:
    a = deal_world.a
    _define(a)
    rows = _rows(a, {})
    bad = form_fields({"field-flavour": "Limão", "field-discount": "95"}, rows)
    values = DealValues("Bolo de festa", a.open_contact, a.stages[0])
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        assert set(deals.field_errors(scope, fields=bad)) == {"field-discount"}
    with pytest.raises(DealInvalid) as err, session_scope() as s:
        deals.create_deal(TenantScope(s, a.w.tenant_id), actor=a.w.owner, values=values, fields=bad)
    # The key is the input's name: the form shows the message under that very input.
    assert set(err.value.errors) == {"field-discount"}
    assert f"field-{rows[1]['key']}" in err.value.errors
    with session_scope() as s:
        assert TenantScope(s, a.w.tenant_id).count(Deal) == 0

    # Editing with a bad value changes nothing either: not the fields, not the title.
    good = form_fields({"field-flavour": "Limão", "field-discount": "5"}, rows)
    with session_scope() as s:
        deal = deals.create_deal(
            TenantScope(s, a.w.tenant_id), actor=a.w.owner, values=values, fields=good
        )
        deal_id = int(deal.id or 0)
    renamed = DealValues("Outro nome", a.open_contact, a.stages[0])
    with pytest.raises(DealInvalid), session_scope() as s:
        deals.update_deal(
            TenantScope(s, a.w.tenant_id),
            actor=a.w.owner,
            deal_id=deal_id,
            values=renamed,
            fields=bad,
        )
    with session_scope() as s:
        kept = TenantScope(s, a.w.tenant_id).get(Deal, deal_id)
        assert kept.title == "Bolo de festa"
        assert kept.fields["flavour"] == "Limão" and str(kept.fields["discount"]) in {"5", "5.0"}
