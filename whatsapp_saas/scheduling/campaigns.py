"""Campaigns: a broadcast through one number, with variables, variants and recipients.

Recipients come from a selection of contacts or a CSV of phone numbers; each is one row,
unique per campaign, so a number listed twice (or picked and also in the CSV) gets the
campaign once. State changes are conditional UPDATEs: two people pressing "pause" and
"cancel" at once end in one consistent state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Message, MessageStatus
from whatsapp_saas.inbox.sqlutil import insert_ignore
from whatsapp_saas.inbox.status import fail
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.phones import region_of
from whatsapp_saas.scheduling.campaign_models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
)
from whatsapp_saas.scheduling.csv_import import CsvResult, parse_recipients
from whatsapp_saas.scheduling.templates import check_template, check_variants
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

CAMPAIGNS: sa.Table = Campaign.__table__  # type: ignore[attr-defined]
RECIPIENTS: sa.Table = CampaignRecipient.__table__  # type: ignore[attr-defined]
S = CampaignStatus
TRANSITIONS: dict[CampaignStatus, tuple[CampaignStatus, ...]] = {
    S.RUNNING: (S.DRAFT,),
    S.PAUSED: (S.RUNNING,),
    S.CANCELLED: (S.DRAFT, S.RUNNING, S.PAUSED),
}
CANCELLED_REASON = "campaign cancelled"
ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


@dataclass(frozen=True)
class CampaignDraft:
    campaign: Campaign
    csv: CsvResult | None
    added: int


def create_campaign(
    scope: TenantScope,
    *,
    name: str,
    number_id: int,
    text: str,
    variants: Sequence[str] = (),
    contact_ids: Sequence[int] = (),
    csv_text: str | None = None,
    user_id: int | None = None,
) -> CampaignDraft:
    """A draft campaign with its recipients; bad CSV rows are reported, good ones kept."""
    scope.get(WhatsAppNumber, number_id)
    title = " ".join(name.split())[:120]
    if not title:
        raise UserError("error.name_required")
    campaign = Campaign(
        tenant_id=scope.tenant_id,
        name=title,
        number_id=number_id,
        text=check_template(text),
        variants=check_variants(list(variants)),
        created_by_user_id=user_id,
    )
    scope.add(campaign)
    scope.session.flush()
    added = add_contacts(scope, campaign, contact_ids)
    csv = None
    if csv_text and csv_text.strip():
        csv = parse_recipients(csv_text, region_for(scope, number_id))
        added += _insert(scope, campaign, [_csv_row(r.phone, r.name) for r in csv.recipients])
    if added == 0:
        raise UserError("error.sched_campaign_no_recipients")
    return CampaignDraft(campaign, csv, added)


def region_for(scope: TenantScope, number_id: int) -> str | None:
    """Where numbers typed without a country code are read: the sending number's country,
    else the country of the tenant's timezone, else Brazil for a pt-BR tenant."""
    number = scope.get(WhatsAppNumber, number_id)
    return region_of(number.phone) or tenant_region(scope)


def tenant_region(scope: TenantScope) -> str | None:
    """The tenant's own country (before a sending number is chosen, e.g. in a preview)."""
    tenant = scope.session.get(Tenant, scope.tenant_id)
    if tenant is None:
        return None
    return country_of_timezone(tenant.timezone) or ("BR" if tenant.language == "pt-BR" else None)


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """{"America/Sao_Paulo": "BR", ...} from the system's zone.tab (empty if it is missing)."""
    try:
        lines = ZONE_TAB.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    pairs = (line.split("\t") for line in lines if line and not line.startswith("#"))
    return {cols[2]: cols[0] for cols in pairs if len(cols) >= 3}


def country_of_timezone(name: str) -> str | None:
    return _zone_countries().get(name)


def add_contacts(scope: TenantScope, campaign: Campaign, contact_ids: Sequence[int]) -> int:
    if not contact_ids:
        return 0
    contacts = scope.all(Contact, col(Contact.id).in_(list(set(contact_ids))))
    if len(contacts) != len(set(contact_ids)):
        raise UserError("error.not_found")
    rows = [
        {
            "recipient_key": c.phone or f"contact:{c.id}",
            "phone": c.phone,
            "name": c.display_name if (c.name or c.push_name) else None,
            "contact_id": c.id,
        }
        for c in contacts
    ]
    return _insert(scope, campaign, rows)


def _csv_row(phone: str, name: str | None) -> dict[str, Any]:
    return {"recipient_key": phone, "phone": phone, "name": name, "contact_id": None}


def _insert(scope: TenantScope, campaign: Campaign, rows: list[dict[str, Any]]) -> int:
    if campaign.status != S.DRAFT.value:
        raise UserError("error.sched_campaign_not_draft")
    values = [
        {
            **row,
            "tenant_id": scope.tenant_id,
            "campaign_id": campaign.id,
            "status": RecipientStatus.PENDING.value,
        }
        for row in rows
    ]
    inserted = 0
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        inserted += len(
            insert_ignore(
                scope.session,
                RECIPIENTS,
                chunk,
                ["campaign_id", "recipient_key"],
                [RECIPIENTS.c.id],
            )
        )
    campaign.total += inserted
    scope.session.add(campaign)
    return inserted


def start_campaign(scope: TenantScope, campaign_id: int) -> Campaign:
    return _move(scope, campaign_id, S.RUNNING, started_at=utcnow())


def pause_campaign(scope: TenantScope, campaign_id: int) -> Campaign:
    return _move(scope, campaign_id, S.PAUSED)


def resume_campaign(scope: TenantScope, campaign_id: int) -> Campaign:
    return _move(scope, campaign_id, S.RUNNING, allowed=(S.PAUSED,))


def cancel_campaign(scope: TenantScope, campaign_id: int) -> Campaign:
    """Stop for good: pending recipients are cancelled, and messages not yet picked up by the
    sender fail with a reason (one the sender already holds still goes out)."""
    campaign = _move(scope, campaign_id, S.CANCELLED, finished_at=utcnow())
    r = RECIPIENTS
    scope.session.execute(
        sa.update(r)
        .where(r.c.campaign_id == campaign_id, r.c.status == RecipientStatus.PENDING.value)
        .values(status=RecipientStatus.CANCELLED.value)
    )
    queued = sa.select(r.c.message_id).where(
        r.c.campaign_id == campaign_id, r.c.message_id.is_not(None)
    )
    m: sa.Table = Message.__table__  # type: ignore[attr-defined]
    criteria = [m.c.id.in_(queued), m.c.status == MessageStatus.QUEUED.value]
    at = utcnow()
    fail(scope.session, criteria, at, CANCELLED_REASON)
    return campaign


def _move(
    scope: TenantScope,
    campaign_id: int,
    new: CampaignStatus,
    allowed: tuple[CampaignStatus, ...] | None = None,
    **stamps: Any,
) -> Campaign:
    c = CAMPAIGNS
    sources = [s.value for s in (allowed or TRANSITIONS[new])]
    stmt = (
        sa.update(c)
        .where(c.c.id == campaign_id, c.c.tenant_id == scope.tenant_id, c.c.status.in_(sources))
        .values(status=new.value, updated_at=utcnow(), **stamps)
    )
    if not scope.session.execute(stmt).rowcount:  # type: ignore[attr-defined]
        scope.get(Campaign, campaign_id)  # NotFound for another tenant's id
        raise UserError("error.sched_campaign_state")
    campaign = scope.get(Campaign, campaign_id)
    scope.session.refresh(campaign)
    return campaign


def list_campaigns(scope: TenantScope, limit: int = 100) -> Sequence[Campaign]:
    query = scope.select(Campaign).order_by(col(Campaign.id).desc()).limit(limit)
    return scope.session.exec(query).all()
