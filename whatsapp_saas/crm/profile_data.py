"""Everything the contact profile shows, read in one unit of work (plain data, no UI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact, ContactIdentity
from whatsapp_saas.crm.fields import definitions
from whatsapp_saas.crm.models import FieldDefinition, Tag
from whatsapp_saas.crm.profile import OptOutStatus, opt_out_status
from whatsapp_saas.crm.tags import contact_tags, list_tags
from whatsapp_saas.crm.timeline import TimelineEntry, timeline
from whatsapp_saas.crm.visibility import visible_contact
from whatsapp_saas.inbox.access import visible_to
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.scheduling.campaign_models import Campaign, CampaignRecipient
from whatsapp_saas.scheduling.models import FollowUp, ScheduledMessage
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

HISTORY_ROWS = 20


@dataclass(frozen=True)
class Activity:
    """One line of the conversation, schedule, follow-up or campaign history."""

    kind: str
    title: str
    status: str
    at: datetime | None
    link_id: int | None = None


@dataclass
class ProfileData:
    contact: Contact
    identities: list[ContactIdentity]
    tags: list[Tag]
    all_tags: list[Tag]
    fields: list[FieldDefinition]
    owner_name: str
    opt_out: OptOutStatus
    opt_out_by: str
    users: list[tuple[int, str]]
    conversations: list[Activity] = field(default_factory=list)
    plans: list[Activity] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.contact.custom_fields or {})


def load_profile(scope: TenantScope, *, actor: CurrentUser, contact_id: int) -> ProfileData:
    contact = visible_contact(scope, actor=actor, contact_id=contact_id)
    users = [(u.id, u.name) for u in scope.all(User, col(User.is_active)) if u.id is not None]
    names = dict(users)
    status = opt_out_status(scope, contact_id=contact_id)
    return ProfileData(
        contact=contact,
        identities=sorted(
            scope.all(ContactIdentity, ContactIdentity.contact_id == contact_id),
            key=lambda i: (i.kind != "phone", i.value),
        ),
        tags=contact_tags(scope, contact_id=contact_id),
        all_tags=list_tags(scope),
        fields=definitions(scope),
        owner_name=names.get(contact.owner_user_id or 0, ""),
        opt_out=status,
        opt_out_by=names.get(status.by_user_id or 0, ""),
        users=sorted(users, key=lambda u: u[1].casefold()),
        conversations=_conversations(scope, actor, contact_id),
        plans=_plans(scope, contact_id),
        timeline=timeline(scope, contact_id=contact_id),
    )


def _conversations(scope: TenantScope, actor: CurrentUser, contact_id: int) -> list[Activity]:
    """The contact's threads on every number of the tenant (those the viewer may open)."""
    numbers = {n.id: n.name for n in scope.all(WhatsAppNumber)}
    rows = scope.session.exec(
        scope.select(Conversation)
        .where(col(Conversation.contact_id) == contact_id)
        .where(visible_to(scope, actor=actor))
        .order_by(col(Conversation.last_message_at).desc())
        .limit(HISTORY_ROWS)
    ).all()
    return [
        Activity(
            "conversation", numbers.get(c.number_id, ""), c.status, as_utc(c.last_message_at), c.id
        )
        for c in rows
    ]


def _plans(scope: TenantScope, contact_id: int) -> list[Activity]:
    found: list[Activity] = []
    for s in scope.session.exec(
        scope.select(ScheduledMessage)
        .where(col(ScheduledMessage.contact_id) == contact_id)
        .order_by(col(ScheduledMessage.due_at).desc())
        .limit(HISTORY_ROWS)
    ).all():
        found.append(
            Activity(
                "schedule", (s.text or s.media_filename or "")[:80], s.status, as_utc(s.due_at)
            )
        )
    threads = [c.id for c in scope.all(Conversation, Conversation.contact_id == contact_id)]
    if threads:
        for f in scope.session.exec(
            scope.select(FollowUp)
            .where(col(FollowUp.conversation_id).in_(threads))
            .order_by(col(FollowUp.due_at).desc())
            .limit(HISTORY_ROWS)
        ).all():
            found.append(Activity("follow_up", "", f.status, as_utc(f.due_at)))
    campaigns = {c.id: c.name for c in scope.all(Campaign)}
    for r in scope.session.exec(
        scope.select(CampaignRecipient)
        .where(col(CampaignRecipient.contact_id) == contact_id)
        .order_by(col(CampaignRecipient.id).desc())
        .limit(HISTORY_ROWS)
    ).all():
        found.append(Activity("campaign", campaigns.get(r.campaign_id, ""), r.status, None))
    return found


def initials(name: str) -> str:
    words = [w for w in name.replace("+", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][:1] + (words[-1][:1] if len(words) > 1 else "")
    return letters.upper()
