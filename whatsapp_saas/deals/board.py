"""Reading the board: per-column counts and totals, and one column's cards a page at a time.

With thousands of open deals nothing here reads a whole pipeline: the totals are one grouped
query, a column page is a keyset range of ``ix_deals_stage_entered``, and the cards' owner
names and last messages are two small queries for the page's own ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, func, select

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.fields import definitions
from whatsapp_saas.crm.models import FieldDefinition, FieldEntity
from whatsapp_saas.deals.access import deal_visible_to
from whatsapp_saas.deals.models import Deal, Stage
from whatsapp_saas.inbox.access import visible_to
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.tenancy.scope import TenantScope

PAGE = 20
MAX_PAGE = 200
CARD_FIELDS = 2  # filled custom fields a card shows, in the definitions' order


@dataclass(frozen=True)
class ColumnTotal:
    count: int
    total_cents: int


@dataclass(frozen=True)
class Card:
    deal_id: int
    title: str
    value_cents: int
    stage_id: int
    owner_name: str
    contact_id: int
    contact_name: str
    conversation_id: int | None
    stage_entered_at: datetime
    last_message: str
    # The first filled custom fields (definition, stored value), for a compact line each.
    fields: tuple[tuple[FieldDefinition, Any], ...] = ()


def column_totals(
    scope: TenantScope, *, actor: CurrentUser, pipeline_id: int
) -> dict[int, ColumnTotal]:
    """{stage id: count and value total} for every stage of the pipeline that has deals."""
    query = (
        select(Deal.stage_id, func.count(), func.coalesce(func.sum(Deal.value_cents), 0))
        .where(col(Deal.tenant_id) == scope.tenant_id, col(Deal.pipeline_id) == pipeline_id)
        .where(deal_visible_to(scope, actor=actor))
        .group_by(col(Deal.stage_id))
    )
    return {
        int(stage): ColumnTotal(int(count), int(total))
        for stage, count, total in scope.session.exec(query).all()
    }


def column_page(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    stage_id: int,
    after: str = "",
    limit: int = PAGE,
) -> tuple[list[Card], str]:
    """One page of a stage's cards, newest in stage first, and the cursor of the next page."""
    deals, cursor = column_deals(scope, actor=actor, stage_id=stage_id, after=after, limit=limit)
    return cards_for(scope, actor=actor, deals=deals), cursor


def column_deals(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    stage_id: int,
    after: str = "",
    limit: int = PAGE,
) -> tuple[list[Deal], str]:
    """One page of a stage's deals (a keyset range of ``ix_deals_stage_entered``)."""
    scope.get(Stage, stage_id)  # NotFound for another tenant's stage
    size = max(1, min(limit, MAX_PAGE))
    query = (
        scope.select(Deal)
        .where(col(Deal.stage_id) == stage_id, deal_visible_to(scope, actor=actor))
        .order_by(col(Deal.stage_entered_at).desc(), col(Deal.id).desc())
        .limit(size + 1)
    )
    cursor = _parse_cursor(after)
    if cursor is not None:
        entered, last_id = cursor
        query = query.where(
            sa.or_(
                col(Deal.stage_entered_at) < entered,
                sa.and_(col(Deal.stage_entered_at) == entered, col(Deal.id) < last_id),
            )
        )
    deals = list(scope.session.exec(query).all())
    more = len(deals) > size
    deals = deals[:size]
    return deals, (_cursor(deals[-1]) if more and deals else "")


def cards_for(scope: TenantScope, *, actor: CurrentUser, deals: list[Deal]) -> list[Card]:
    owners = _owner_names(scope, {d.owner_id for d in deals if d.owner_id})
    contacts = _contact_names(scope, {d.contact_id for d in deals})
    previews = _last_messages(scope, actor, deals)
    shown = definitions(scope, entity=FieldEntity.DEAL.value) if deals else []
    return [
        Card(
            deal_id=int(d.id or 0),
            title=d.title,
            value_cents=d.value_cents,
            stage_id=d.stage_id,
            owner_name=owners.get(d.owner_id or 0, ""),
            contact_id=d.contact_id,
            contact_name=contacts.get(d.contact_id, ""),
            conversation_id=d.conversation_id,
            stage_entered_at=as_utc(d.stage_entered_at),
            last_message=previews.get(int(d.id or 0), ""),
            fields=_filled(shown, d.fields or {}),
        )
        for d in deals
    ]


def _filled(
    shown: list[FieldDefinition], values: dict[str, Any]
) -> tuple[tuple[FieldDefinition, Any], ...]:
    """The first :data:`CARD_FIELDS` defined fields with a value (an unticked box is empty)."""
    found = [(d, values[d.key]) for d in shown if values.get(d.key) not in (None, "", [], False)]
    return tuple(found[:CARD_FIELDS])


def _owner_names(scope: TenantScope, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = scope.all(User, col(User.id).in_(ids))
    return {int(u.id or 0): u.name for u in rows}


def _contact_names(scope: TenantScope, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(c.id or 0): c.display_name for c in scope.all(Contact, col(Contact.id).in_(ids))}


def _last_messages(scope: TenantScope, actor: CurrentUser, deals: list[Deal]) -> dict[int, str]:
    """Each deal's conversation's last message, else its contact's latest one the actor sees."""
    contact_ids = {d.contact_id for d in deals}
    if not contact_ids:
        return {}
    query = (
        scope.select(Conversation)
        .where(col(Conversation.contact_id).in_(contact_ids), visible_to(scope, actor=actor))
        .order_by(col(Conversation.last_message_at).desc(), col(Conversation.id).desc())
    )
    by_id: dict[int, str] = {}
    latest: dict[int, str] = {}
    for conversation in scope.session.exec(query).all():
        preview = conversation.last_message_preview or ""
        by_id[int(conversation.id or 0)] = preview
        latest.setdefault(conversation.contact_id, preview)
    found: dict[int, str] = {}
    for deal in deals:
        own = by_id.get(deal.conversation_id or 0)
        found[int(deal.id or 0)] = own if own is not None else latest.get(deal.contact_id, "")
    return found


def _cursor(deal: Deal) -> str:
    return f"{as_utc(deal.stage_entered_at).isoformat()}|{deal.id}"


def _parse_cursor(text: str) -> tuple[datetime, int] | None:
    if not text or "|" not in text:
        return None
    stamp, _sep, last = text.rpartition("|")
    try:
        return datetime.fromisoformat(stamp), int(last)
    except ValueError:
        return None


def contact_deals(scope: TenantScope, *, actor: CurrentUser, contact_id: int) -> list[Deal]:
    """A contact's deals (newest first), if the actor may see the contact; else none."""
    query = (
        scope.select(Deal)
        .where(col(Deal.contact_id) == contact_id, deal_visible_to(scope, actor=actor))
        .order_by(col(Deal.created_at).desc(), col(Deal.id).desc())
        .limit(MAX_PAGE)
    )
    return list(scope.session.exec(query).all())
