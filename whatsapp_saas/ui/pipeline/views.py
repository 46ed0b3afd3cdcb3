"""What the board shows, as plain rows built from the deal services' results.

Columns and cards are dataclasses (Reflex serialises them and ``rx.foreach`` knows their
fields). Everything is formatted for the viewer's language here, once, on the server.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from whatsapp_saas.deals.board import Card, ColumnTotal
from whatsapp_saas.deals.models import Stage
from whatsapp_saas.deals.money import format_brl
from whatsapp_saas.i18n import translate
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.ui.crm.common import shown_value


@dataclasses.dataclass
class CardView:
    id: str = ""
    stage_id: str = ""
    title: str = ""
    value: str = ""
    value_cents: int = 0
    owner: str = ""
    days: str = ""
    contact: str = ""
    last_message: str = ""
    conversation_id: str = ""
    # Up to two filled custom fields, each "Label: value" as the contact card shows values.
    field_1: str = ""
    field_2: str = ""


@dataclasses.dataclass
class ColumnView:
    id: str = ""
    name: str = ""
    outcome: str = "open"
    count: int = 0
    count_label: str = ""
    total_cents: int = 0
    total: str = ""
    cards: list[CardView] = dataclasses.field(default_factory=list)
    cursor: str = ""


def card_view(card: Card, language: str, now: datetime | None = None) -> CardView:
    days = ((now or utcnow()) - card.stage_entered_at).days
    yes, no = translate(language, "crm.yes"), translate(language, "crm.no")
    lines = [f"{d.label}: {shown_value(d, value, yes, no)}" for d, value in card.fields]
    lines += ["", ""]
    return CardView(
        id=str(card.deal_id),
        stage_id=str(card.stage_id),
        title=card.title,
        value=format_brl(card.value_cents, language),
        value_cents=card.value_cents,
        owner=card.owner_name or translate(language, "deals.no_owner"),
        days=_days(days, language),
        contact=card.contact_name,
        last_message=card.last_message,
        conversation_id=str(card.conversation_id or ""),
        field_1=lines[0],
        field_2=lines[1],
    )


def _days(days: int, language: str) -> str:
    if days <= 0:
        return translate(language, "deals.today_in_stage")
    return translate(language, "deals.days_in_stage", days=days)


def column_view(
    stage: Stage,
    total: ColumnTotal | None,
    cards: list[CardView],
    cursor: str,
    language: str,
) -> ColumnView:
    column = ColumnView(
        id=str(stage.id),
        name=stage.name,
        outcome=stage.outcome,
        cards=cards,
        cursor=cursor,
    )
    return with_totals(
        column, total.count if total else 0, total.total_cents if total else 0, language
    )


def with_totals(column: ColumnView, count: int, total_cents: int, language: str) -> ColumnView:
    """The column with its count and value total (and their labels) set."""
    label = (
        translate(language, "deals.count_one")
        if count == 1
        else translate(language, "deals.count", count=count)
    )
    return dataclasses.replace(
        column,
        count=count,
        count_label=label,
        total_cents=total_cents,
        total=format_brl(total_cents, language),
    )


def moved(
    columns: list[ColumnView], deal_id: str, to_stage: str, language: str
) -> list[ColumnView] | None:
    """The columns after a card moved (in place: only the two columns change). None if the
    card or the target column is not on this board."""
    source = next((c for c in columns if any(card.id == deal_id for card in c.cards)), None)
    target = next((c for c in columns if c.id == to_stage), None)
    if source is None or target is None or source is target:
        return None
    card = next(card for card in source.cards if card.id == deal_id)
    fresh = dataclasses.replace(card, stage_id=to_stage, days=_days(0, language))
    result = []
    for column in columns:
        if column is source:
            kept = [c for c in column.cards if c.id != deal_id]
            column = dataclasses.replace(column, cards=kept)
            column = with_totals(
                column, column.count - 1, column.total_cents - card.value_cents, language
            )
        elif column is target:
            column = dataclasses.replace(column, cards=[fresh, *column.cards])
            column = with_totals(
                column, column.count + 1, column.total_cents + card.value_cents, language
            )
        result.append(column)
    return result
