"""Campaigns: a broadcast through one number, with variables, variants and recipients.

Recipients come from a selection of contacts, a saved CRM segment (resolved to its contacts,
less the opted-out, when the campaign starts, as the person starting it may see them) or a
CSV of phone numbers; each is one row,
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

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm import segments
from whatsapp_saas.crm.query import segment_for
from whatsapp_saas.db.sqlutil import insert_ignore
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Message, MessageStatus
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
from whatsapp_saas.scheduling.optout import opted_out_among
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
# The states in which recipients may still join (a paused one sends to them on resume).
OPEN_FOR_RECIPIENTS = (S.DRAFT.value, S.PAUSED.value)
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
    segment_id: int | None = None,
    actor: CurrentUser | None = None,
) -> CampaignDraft:
    """A draft campaign with its recipients; bad CSV rows are reported, good ones kept. A
    segment (one ``viewer`` may use) is only remembered: its members are added at start."""
    scope.get(WhatsAppNumber, number_id)
    if segment_id is not None:
        if actor is None:
            raise UserError("error.not_found")
        segment_for(
            scope, actor=actor, segment_id=segment_id
        )  # NotFound: another's or a foreign one
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
        segment_id=segment_id,
    )
    scope.add(campaign)
    scope.session.flush()
    added = add_contacts(scope, campaign=campaign, contact_ids=contact_ids)
    csv = None
    if csv_text and csv_text.strip():
        csv = parse_recipients(csv_text, region_for(scope, number_id=number_id))
        added += _insert(scope, campaign, [_csv_row(r.phone, r.name) for r in csv.recipients])
    if added == 0 and segment_id is None:
        raise UserError("error.sched_campaign_no_recipients")
    return CampaignDraft(campaign, csv, added)


def segment_audience(scope: TenantScope, *, actor: CurrentUser, segment_id: int) -> list[int]:
    """The contacts a segment holds now, as ``actor`` may see them, less the opted-out
    (who would only be skipped; the sender still checks each one again before sending)."""
    ids = segments.contact_ids(scope, actor=actor, segment_id=segment_id)
    out = opted_out_among(scope, contact_ids=ids)
    return [i for i in ids if i not in out]


def region_for(scope: TenantScope, *, number_id: int) -> str | None:
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


def add_contacts(
    scope: TenantScope,
    *,
    campaign: Campaign,
    contact_ids: Sequence[int],
    allowed: Sequence[str] = (S.DRAFT.value,),
) -> int:
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
    return _insert(scope, campaign, rows, allowed)


@dataclass(frozen=True)
class ContactsAdded:
    added: int
    opted_out: int  # skipped: they asked not to get messages
    already: int  # skipped: recipients of the campaign already


def open_campaigns(scope: TenantScope) -> Sequence[Campaign]:
    """The campaigns contacts can still join (drafts and paused ones), newest first."""
    query = (
        scope.select(Campaign)
        .where(col(Campaign.status).in_(OPEN_FOR_RECIPIENTS))
        .order_by(col(Campaign.id).desc())
    )
    return scope.session.exec(query).all()


def open_campaign(scope: TenantScope, *, campaign_id: int, lock: bool = False) -> Campaign:
    """A draft or paused campaign of this tenant (NotFound for another tenant's id); a
    running, finished or cancelled one is refused."""
    campaign = scope.get(Campaign, campaign_id, for_update=lock)
    if campaign.status not in OPEN_FOR_RECIPIENTS:
        raise UserError("error.sched_campaign_closed", name=campaign.name)
    return campaign


def add_open_contacts(
    scope: TenantScope, *, campaign_id: int, contact_ids: Sequence[int]
) -> ContactsAdded:
    """Add contacts to a draft or paused campaign, less the opted-out; one already there is
    not added twice. The campaign row is locked, so a concurrent start or cancel waits."""
    campaign = open_campaign(scope, campaign_id=campaign_id, lock=True)
    wanted = list(dict.fromkeys(contact_ids))
    out = opted_out_among(scope, contact_ids=wanted)
    keep = [i for i in wanted if i not in out]
    added = add_contacts(scope, campaign=campaign, contact_ids=keep, allowed=OPEN_FOR_RECIPIENTS)
    return ContactsAdded(added, len(out), len(keep) - added)


def _csv_row(phone: str, name: str | None) -> dict[str, Any]:
    return {"recipient_key": phone, "phone": phone, "name": name, "contact_id": None}


def _insert(
    scope: TenantScope,
    campaign: Campaign,
    rows: list[dict[str, Any]],
    allowed: Sequence[str] = (S.DRAFT.value,),
) -> int:
    if campaign.status not in allowed:
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
                table=RECIPIENTS,
                rows=chunk,
                conflict=["campaign_id", "recipient_key"],
                returning=[RECIPIENTS.c.id],
            )
        )
    campaign.total += inserted
    scope.session.add(campaign)
    return inserted


def start_campaign(
    scope: TenantScope, *, campaign_id: int, actor: CurrentUser | None = None
) -> Campaign:
    """Running; a campaign aimed at a segment first gets the segment's members of this
    moment, as ``viewer`` may see them (the recipient rows are unique, so a contact picked
    by hand and also in the segment is one recipient)."""
    campaign = scope.get(Campaign, campaign_id)
    if campaign.status == S.DRAFT.value:
        if campaign.segment_id is not None:
            if actor is None:
                raise UserError("error.not_found")
            add_contacts(
                scope,
                campaign=campaign,
                contact_ids=segment_audience(scope, actor=actor, segment_id=campaign.segment_id),
            )
        if campaign.total == 0:  # an empty segment, or one deleted since the draft
            raise UserError("error.sched_campaign_no_recipients")
    return _move(scope, campaign_id, S.RUNNING, started_at=utcnow())


def pause_campaign(scope: TenantScope, *, campaign_id: int) -> Campaign:
    return _move(scope, campaign_id, S.PAUSED)


def resume_campaign(scope: TenantScope, *, campaign_id: int) -> Campaign:
    return _move(scope, campaign_id, S.RUNNING, allowed=(S.PAUSED,))


def cancel_campaign(scope: TenantScope, *, campaign_id: int) -> Campaign:
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
    fail(scope.session, criteria=criteria, at=at, reason=CANCELLED_REASON)
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


def list_campaigns(scope: TenantScope, *, limit: int = 100) -> Sequence[Campaign]:
    query = scope.select(Campaign).order_by(col(Campaign.id).desc()).limit(limit)
    return scope.session.exec(query).all()
