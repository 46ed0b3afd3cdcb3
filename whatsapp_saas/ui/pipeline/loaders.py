"""Reads for the Pipeline page, each run in one session (``in_session``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm.fields import definitions
from whatsapp_saas.crm.models import FieldDefinition, FieldEntity
from whatsapp_saas.deals import board, pipelines
from whatsapp_saas.deals.models import Stage
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.pipeline.views import CardView, ColumnView, card_view, column_view


@dataclass
class Board:
    pipelines: list[dict[str, str]]
    pipeline_id: str
    columns: list[ColumnView]


def open_board(
    session: Session, user: CurrentUser, wanted: str, language: str, shown: dict[str, int]
) -> Board:
    """The tenant's pipelines (creating the default one on the first visit) and the board of
    ``wanted`` (or the first pipeline)."""
    scope = TenantScope(session, user.tenant_id)
    found = pipelines.ensure_default_pipeline(scope, language=language)
    ids = [str(p.id) for p in found]
    chosen = wanted if wanted in ids else ids[0]
    rows = [{"id": str(p.id), "name": p.name} for p in found]
    return Board(rows, chosen, columns(scope, user, int(chosen), language, shown))


def columns(
    scope: TenantScope,
    user: CurrentUser,
    pipeline_id: int,
    language: str,
    shown: dict[str, int],
    only: set[str] | None = None,
) -> list[ColumnView]:
    """Every column of the pipeline (or just the ``only`` ones), each with as many cards as
    it showed before (``shown``: stage id -> count; at least one page)."""
    totals = board.column_totals(scope, actor=user, pipeline_id=pipeline_id)
    pages = []
    for stage in pipelines.stages_of(scope, pipeline_id=pipeline_id):
        if only is not None and str(stage.id) not in only:
            continue
        wanted = max(shown.get(str(stage.id), 0), board.PAGE)
        deals, cursor = board.column_deals(
            scope, actor=user, stage_id=int(stage.id or 0), limit=wanted
        )
        pages.append((stage, deals, cursor))
    # Owners, contacts and last messages of every column's cards in one go.
    cards = board.cards_for(scope, actor=user, deals=[d for _s, deals, _c in pages for d in deals])
    by_stage: dict[int, list[CardView]] = {}
    for card in cards:
        by_stage.setdefault(card.stage_id, []).append(card_view(card, language))
    return [
        column_view(
            stage,
            totals.get(int(stage.id or 0)),
            by_stage.get(int(stage.id or 0), []),
            cursor,
            language,
        )
        for stage, _deals, cursor in pages
    ]


def more_cards(
    session: Session, user: CurrentUser, stage_id: int, cursor: str, language: str
) -> tuple[list, str]:  # type: ignore[type-arg]
    cards, after = board.column_page(
        TenantScope(session, user.tenant_id), actor=user, stage_id=stage_id, after=cursor
    )
    return [card_view(c, language) for c in cards], after


def totals_only(
    session: Session, user: CurrentUser, pipeline_id: int
) -> dict[str, tuple[int, int]]:
    found = board.column_totals(
        TenantScope(session, user.tenant_id), actor=user, pipeline_id=pipeline_id
    )
    return {str(k): (v.count, v.total_cents) for k, v in found.items()}


def form_choices(
    session: Session, user: CurrentUser, pipeline_id: int | None
) -> dict[str, list[dict[str, str]]]:
    """The deal form's lists: the tenant's active users, and every pipeline's stages."""
    scope = TenantScope(session, user.tenant_id)
    users = scope.all(User, col(User.is_active).is_(True))
    stages: list[dict[str, str]] = []
    for pipeline in pipelines.list_pipelines(scope):
        for stage in pipelines.stages_of(scope, pipeline_id=int(pipeline.id or 0)):
            stages.append(
                {
                    "id": str(stage.id),
                    "label": f"{pipeline.name} · {stage.name}",
                    "pipeline": str(pipeline.id),
                }
            )
    if pipeline_id is not None:
        first = [s for s in stages if s["pipeline"] == str(pipeline_id)]
        stages = first + [s for s in stages if s["pipeline"] != str(pipeline_id)]
    return {
        "owners": [
            {"id": str(u.id), "label": u.name} for u in sorted(users, key=lambda u: u.name.lower())
        ],
        "stages": stages,
    }


def find_contacts(session: Session, user: CurrentUser, text: str) -> list[dict[str, str]]:
    """Up to 8 contacts the user may see whose name or number contains ``text``."""
    from whatsapp_saas.contacts.models import Contact
    from whatsapp_saas.contacts.search import contact_matches
    from whatsapp_saas.inbox.access import contact_visible_to

    scope = TenantScope(session, user.tenant_id)
    query = scope.select(Contact).where(contact_visible_to(scope, actor=user))
    if text.strip():
        query = query.where(contact_matches(session, text=text))
    rows = session.exec(query.order_by(col(Contact.name), col(Contact.id)).limit(8)).all()
    return [{"id": str(c.id), "label": contact_label(c)} for c in rows]


def contact_label(contact: object) -> str:
    name = getattr(contact, "display_name", "")
    phone = getattr(contact, "phone", None) or ""
    return f"{name} · {phone}" if phone and phone != name else str(name)


@dataclass
class DealDetails:
    values: dict[str, str]
    history: list[dict[str, str]]
    fields: dict[str, Any] = field(default_factory=dict)  # its custom field values, stored


def deal_fields(session: Session, user: CurrentUser) -> list[FieldDefinition]:
    """The tenant's deal custom field definitions, in their order."""
    return definitions(TenantScope(session, user.tenant_id), entity=FieldEntity.DEAL.value)


def deal_details(
    session: Session, user: CurrentUser, deal_id: int, language: str, timezone: str
) -> DealDetails:
    """A deal as the edit form shows it, and its stage history (newest first), in words."""
    from whatsapp_saas.contacts.models import Contact
    from whatsapp_saas.deals import service as deals
    from whatsapp_saas.deals.access import get_deal
    from whatsapp_saas.deals.money import money_input
    from whatsapp_saas.i18n import translate
    from whatsapp_saas.i18n.formatting import format_datetime

    scope = TenantScope(session, user.tenant_id)
    deal = get_deal(scope, actor=user, deal_id=deal_id)
    contact = scope.get(Contact, deal.contact_id)
    steps = deals.history(scope, actor=user, deal_id=deal_id)
    stage_ids = {i for h in steps for i in (h.from_stage_id, h.to_stage_id) if i}
    stages = {int(s.id or 0): s.name for s in scope.all(Stage, col(Stage.id).in_(stage_ids))}
    people = {int(u.id or 0): u.name for u in scope.all(User)}
    gone = translate(language, "deals.removed_stage")

    def line(step: Any) -> dict[str, str]:
        who = people.get(step.by_user_id or 0) or translate(language, "deals.someone")
        to_stage = stages.get(step.to_stage_id or 0, gone)
        if step.from_stage_id is None:
            text = translate(language, "deals.history_created", who=who, stage=to_stage)
        else:
            from_stage = stages.get(step.from_stage_id, gone)
            text = translate(
                language, "deals.history_moved", who=who, from_stage=from_stage, to_stage=to_stage
            )
        return {"text": text, "when": format_datetime(step.changed_at, language, timezone)}

    values = {
        "id": str(deal.id),
        "title": deal.title,
        "value": money_input(deal.value_cents, language) if deal.value_cents else "",
        "owner_id": str(deal.owner_id or ""),
        "expected_close": deal.expected_close.isoformat() if deal.expected_close else "",
        "stage_id": str(deal.stage_id),
        "contact_id": str(deal.contact_id),
        "contact": contact_label(contact),
    }
    return DealDetails(values, [line(h) for h in reversed(steps)], dict(deal.fields or {}))
