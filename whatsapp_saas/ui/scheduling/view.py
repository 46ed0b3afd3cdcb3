"""What the Scheduling page shows: plain strings built from the services' rows.

No Reflex here: these are plain functions over a scope, run in a worker thread by the states.
Times are shown in the tenant's timezone, the one schedules are entered in.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col

from whatsapp_saas.accounts.preferences import tenant_timezone
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.segments import list_segments
from whatsapp_saas.i18n.formatting import format_datetime
from whatsapp_saas.inbox.access import contact_visible_to
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.phones import for_people
from whatsapp_saas.scheduling.campaign_models import Campaign, CampaignStatus
from whatsapp_saas.scheduling.campaigns import list_campaigns
from whatsapp_saas.scheduling.followups import list_follow_ups
from whatsapp_saas.scheduling.models import ScheduledMessage, ScheduleStatus
from whatsapp_saas.scheduling.preferences import load_preferences
from whatsapp_saas.scheduling.progress import CampaignProgress, campaign_progress
from whatsapp_saas.scheduling.recurrence import utc_to_local
from whatsapp_saas.scheduling.schedules import list_schedules
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

CONTACTS_MAX = 500
PREVIEW = 80
BAR = ("queued", "sent", "delivered", "read", "failed", "opted_out")
OPEN_STATUSES = (ScheduleStatus.PENDING.value, ScheduleStatus.FAILED.value)


def _preview(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


def numbers(scope: TenantScope) -> list[dict[str, str]]:
    rows = scope.session.exec(scope.select(WhatsAppNumber).order_by(col(WhatsAppNumber.id))).all()
    return [
        {"id": str(r.id), "label": f"{r.name} ({for_people(r.phone)})" if r.phone else r.name}
        for r in rows
    ]


def contacts(scope: TenantScope, viewer: CurrentUser) -> list[dict[str, str]]:
    """The contacts the viewer may write to (not those of another department's chats)."""
    query = (
        scope.select(Contact)
        .where(contact_visible_to(scope, actor=viewer), col(Contact.merged_into_id).is_(None))
        .order_by(col(Contact.name), col(Contact.id))
        .limit(CONTACTS_MAX)
    )
    rows = scope.session.exec(query).all()
    return [{"id": str(c.id), "label": _contact_label(c)} for c in rows]


def segments(scope: TenantScope, viewer: CurrentUser) -> list[dict[str, str]]:
    """The CRM segments a campaign can target: the viewer's own and the shared ones."""
    return [{"id": str(s.id), "name": s.name} for s in list_segments(scope, actor=viewer)]


def _contact_label(contact: Contact) -> str:
    name = contact.name or contact.push_name
    if name and contact.phone:
        return f"{name} ({for_people(contact.phone)})"
    return contact.display_name if name or not contact.phone else for_people(contact.phone)


def _names(scope: TenantScope, contact_ids: Sequence[int]) -> dict[int, str]:
    if not contact_ids:
        return {}
    rows = scope.all(Contact, col(Contact.id).in_(list(set(contact_ids))))
    return {c.id or 0: _contact_label(c) for c in rows}


def schedules(scope: TenantScope, viewer: CurrentUser, show_all: bool) -> list[dict[str, str]]:
    tz = tenant_timezone(scope)
    rows = list_schedules(scope, actor=viewer, statuses=None if show_all else OPEN_STATUSES)
    names = _names(scope, [r.contact_id for r in rows])
    return [_schedule_row(r, tz, names, viewer.language) for r in rows]


def _schedule_row(
    row: ScheduledMessage, tz: str, names: dict[int, str], language: str
) -> dict[str, str]:
    local = utc_to_local(as_utc(row.due_at), tz)
    return {
        "id": str(row.id),
        "when": format_datetime(row.due_at, language, tz),
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "to": names.get(row.contact_id, f"#{row.contact_id}"),
        "text": row.text or "",
        "preview": _preview(row.text),
        "media": row.media_filename or (row.media_kind or ""),
        "recurrence": row.recurrence,
        "recurrence_key": f"sched.recurrence.{row.recurrence}",
        "status": row.status,
        "status_key": f"sched.status.{row.status}",
        "pending": "yes" if row.status == ScheduleStatus.PENDING.value else "",
        "reason": row.failure_reason or "",
    }


def campaigns(scope: TenantScope) -> list[dict[str, str]]:
    rows = list_campaigns(scope)
    progress = campaign_progress(scope, campaign_ids=[r.id or 0 for r in rows])
    return [_campaign_row(r, progress[r.id or 0]) for r in rows]


def _campaign_row(row: Campaign, progress: CampaignProgress) -> dict[str, str]:
    counts = progress.as_dict()
    total = max(progress.total, 1)
    status = CampaignStatus(row.status)
    view = {
        "id": str(row.id),
        "name": row.name,
        "status": row.status,
        "status_key": f"campaign.status.{row.status}",
        "total": str(progress.total),
        "can_start": "yes" if status is CampaignStatus.DRAFT else "",
        "can_pause": "yes" if status is CampaignStatus.RUNNING else "",
        "can_resume": "yes" if status is CampaignStatus.PAUSED else "",
        "can_cancel": "yes" if status in _CANCELLABLE else "",
        "live": "yes" if status is CampaignStatus.RUNNING or progress.queued else "",
    }
    for key, value in counts.items():
        view[key] = str(value)
        view[f"{key}_pct"] = f"{100 * value / total:.2f}%"
    return view


_CANCELLABLE = (CampaignStatus.DRAFT, CampaignStatus.RUNNING, CampaignStatus.PAUSED)


def follow_ups(scope: TenantScope, viewer: CurrentUser) -> list[dict[str, str]]:
    tz = tenant_timezone(scope)
    rows = list_follow_ups(scope, actor=viewer)
    conversations = {
        c.id: c
        for c in scope.all(
            Conversation, col(Conversation.id).in_([r.conversation_id for r in rows])
        )
    }
    names = _names(scope, [c.contact_id for c in conversations.values()])
    result = []
    for row in rows:
        conversation = conversations.get(row.conversation_id)
        result.append(
            {
                "id": str(row.id),
                "contact": names.get(conversation.contact_id, "") if conversation else "",
                "step": str(row.step + 1),
                "steps": str(len(row.steps)),
                "text": _preview(str(row.steps[row.step]["text"]))
                if row.step < len(row.steps)
                else "",
                "due": format_datetime(row.due_at, viewer.language, tz),
            }
        )
    return result


def preferences(scope: TenantScope) -> dict[str, str]:
    """Stop keywords and business hours as form values."""
    prefs = load_preferences(scope)
    values = {"keywords": ", ".join(prefs.stop_keywords), "timezone": prefs.timezone}
    for day in range(7):
        window = prefs.business_hours.windows.get(day)
        values[f"open_{day}"] = window[0].strftime("%H:%M") if window else ""
        values[f"close_{day}"] = window[1].strftime("%H:%M") if window else ""
    return values
