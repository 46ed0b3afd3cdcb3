"""The contact list's filters, AND-combined, as plain data (what a segment stores).

:func:`conditions` turns a :class:`ContactFilter` into WHERE clauses over ``contacts``; the
list, the bulk actions, the export and segments all go through it, so they agree on who is in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.models import FIELD_KEY_MAX, FIELD_VALUE_MAX, FIELD_VALUES, ContactTag
from whatsapp_saas.crm.search import crm_matches
from whatsapp_saas.deals.models import Deal
from whatsapp_saas.inbox.models import Conversation, ConversationStatus
from whatsapp_saas.scheduling.models import ContactOptOut

CONTACT_ID = Contact.__table__.c.id  # type: ignore[attr-defined]


@dataclass
class ContactFilter:
    search: str = ""
    tag_ids: list[int] = field(default_factory=list)  # every one of these tags
    owner: str = ""  # "" any, "me", "none", or a user id
    number_id: int | None = None  # has a conversation on this WhatsApp number
    last_contact_from: str = ""  # ISO dates, in the viewer's timezone, inclusive
    last_contact_to: str = ""
    created_from: str = ""
    created_to: str = ""
    opted_out: str = ""  # "" any, "yes", "no"
    open_conversation: str = ""  # "" any, "yes", "no"
    fields: dict[str, str] = field(default_factory=dict)  # custom field key = value
    segment_id: int | None = None
    pipeline_id: int | None = None  # has a deal in this pipeline (and stage, if given)
    stage_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None, [], {})}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ContactFilter:
        data = data or {}
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        found = cls(**known)
        found.tag_ids = [int(t) for t in found.tag_ids if str(t).isdigit()]
        found.fields = {str(k): str(v) for k, v in (found.fields or {}).items()}
        for name in ("number_id", "segment_id", "pipeline_id", "stage_id"):
            if getattr(found, name) is not None:
                setattr(found, name, int(getattr(found, name)))
        return found

    @property
    def is_empty(self) -> bool:
        return not self.as_dict()


def conditions(
    session: Session, *, tenant_id: int, actor: CurrentUser, flt: ContactFilter
) -> list[sa.ColumnElement[bool]]:
    """WHERE clauses over ``contacts`` for ``flt`` (visibility and segment are the caller's)."""
    where: list[sa.ColumnElement[bool]] = []
    if flt.search.strip():
        where.append(crm_matches(session, text=flt.search))
    for tag_id in flt.tag_ids:
        where.append(
            sa.exists(
                select(ContactTag.contact_id).where(
                    col(ContactTag.contact_id) == CONTACT_ID, col(ContactTag.tag_id) == tag_id
                )
            )
        )
    where += _owner(flt.owner, actor)
    where += _conversations(tenant_id, actor.timezone, flt)
    where += _dates(actor.timezone, flt)
    if flt.opted_out in ("yes", "no"):
        opted = sa.exists(
            select(ContactOptOut.id).where(
                col(ContactOptOut.contact_id) == CONTACT_ID,
                col(ContactOptOut.revoked_at).is_(None),
            )
        )
        where.append(opted if flt.opted_out == "yes" else ~opted)
    where += _deals(flt)
    postgres = session.get_bind().dialect.name == "postgresql"
    for key, value in flt.fields.items():
        if postgres:
            where.append(_field_value(tenant_id, key, value))
        if not postgres or len(value) >= FIELD_VALUE_MAX or len(key) > FIELD_KEY_MAX:
            # The side table holds the whole value only below its cut.
            where.append(col(Contact.custom_fields)[key].as_string() == value)
    return where


def _deals(flt: ContactFilter) -> list[sa.ColumnElement[bool]]:
    """Contacts with a deal in the pipeline (and stage); ix_deals_pipeline_contact."""
    if flt.pipeline_id is None and flt.stage_id is None:
        return []
    deals = select(Deal.id).where(col(Deal.contact_id) == CONTACT_ID)
    if flt.pipeline_id is not None:
        deals = deals.where(col(Deal.pipeline_id) == flt.pipeline_id)
    if flt.stage_id is not None:
        deals = deals.where(col(Deal.stage_id) == flt.stage_id)
    return [sa.exists(deals)]


def _field_value(tenant_id: int, key: str, value: str) -> sa.ColumnElement[bool]:
    """PostgreSQL: the contact has this field value in the side table (migration 0021),
    whose statistics let the planner choose between walking the sort index and starting
    from the value's rows."""
    v = FIELD_VALUES.c
    return sa.exists(
        sa.select(v.contact_id).where(
            v.contact_id == CONTACT_ID,
            v.tenant_id == tenant_id,
            v.field_key == key[:FIELD_KEY_MAX],
            v.value == value[:FIELD_VALUE_MAX],
        )
    )


def _owner(owner: str, actor: CurrentUser) -> list[sa.ColumnElement[bool]]:
    if owner == "me":
        return [col(Contact.owner_user_id) == actor.user_id]
    if owner == "none":
        return [col(Contact.owner_user_id).is_(None)]
    if owner.isdigit():
        return [col(Contact.owner_user_id) == int(owner)]
    return []


def _threads(tenant_id: int) -> Any:
    return select(Conversation.id).where(
        col(Conversation.tenant_id) == tenant_id, col(Conversation.contact_id) == CONTACT_ID
    )


def _conversations(tenant_id: int, tz: str, flt: ContactFilter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if flt.number_id is not None:
        where.append(
            sa.exists(_threads(tenant_id).where(col(Conversation.number_id) == flt.number_id))
        )
    if flt.open_conversation in ("yes", "no"):
        is_open = sa.exists(
            _threads(tenant_id).where(col(Conversation.status) != ConversationStatus.RESOLVED.value)
        )
        where.append(is_open if flt.open_conversation == "yes" else ~is_open)
    start, end = day_range(flt.last_contact_from, flt.last_contact_to, tz)
    if start or end:
        # The last contact is the newest message of any of the contact's conversations:
        # it is on or after ``start`` if one conversation is, and before ``end`` if one has a
        # message and none is at or after it (EXISTS probes, not a max() per contact).
        last = col(Conversation.last_message_at)
        if start:
            where.append(sa.exists(_threads(tenant_id).where(last >= start)))
        if end:
            where.append(sa.exists(_threads(tenant_id).where(last.is_not(None))))
            where.append(~sa.exists(_threads(tenant_id).where(last >= end)))
    return where


def _dates(tz: str, flt: ContactFilter) -> list[sa.ColumnElement[bool]]:
    start, end = day_range(flt.created_from, flt.created_to, tz)
    where: list[sa.ColumnElement[bool]] = []
    if start:
        where.append(col(Contact.created_at) >= start)
    if end:
        where.append(col(Contact.created_at) < end)
    return where


def day_range(first: str, last: str, tz: str) -> tuple[datetime | None, datetime | None]:
    """[start of ``first``, start of the day after ``last``) in ``tz``; bad dates are ignored."""
    zone = _zone(tz)

    def start_of(text: str, plus: int = 0) -> datetime | None:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            return None
        return datetime.combine(day + timedelta(days=plus), time(), zone)

    return (start_of(first) if first else None, start_of(last, 1) if last else None)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except Exception:  # an unknown name in an old profile: UTC rather than a crash
        return ZoneInfo("UTC")
