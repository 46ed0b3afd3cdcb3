"""Builders and readers shared by the scheduling tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from whatsapp_saas.accounts.models import Role, User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.scheduling.scheduler import Scheduler, SchedulerConfig
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.events import InboundMessageArrived
from whatsapp_saas.whatsapp.models import WhatsAppNumber

PHONES = ("+5511988880001", "+5511988880002", "+5511988880003")
_wa_ids = itertools.count(1)


@dataclass
class World:
    tenant_id: int
    number_id: int
    owner: CurrentUser
    contact_ids: list[int]
    timezone: str

    def scope(self, session: Any) -> TenantScope:
        return TenantScope(session, self.tenant_id)


def make_world(name: str, timezone: str) -> World:
    with session_scope() as session:
        tenant = Tenant(name=name, timezone=timezone)
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name="Main", phone="+5511900000000")
        user = User(
            tenant_id=tenant.id,
            email=f"owner@{name.lower()}.io",
            name="Owner",
            password_hash="x",
            role=Role.OWNER.value,
        )
        session.add_all([number, user])
        session.flush()
        scope = TenantScope(session, tenant.id)
        contacts = [
            create_contact(scope, phone=p, name=f"Cliente {i + 1}") for i, p in enumerate(PHONES)
        ]
        session.flush()
        assert number.id is not None and user.id is not None
        owner = CurrentUser(user.id, tenant.id, name, "Owner", user.email, "owner", "en", timezone)
        return World(tenant.id, number.id, owner, [c.id for c in contacts if c.id], timezone)


def customer_writes(world: World, text: str, phone: str = PHONES[0]) -> int:
    """Ingest an inbound message from ``phone``; returns the stored message id."""
    msg = gw.MessageReceived(
        session_id=str(world.number_id),
        message_id=f"IN{next(_wa_ids):010d}",
        chat=f"{phone[1:]}@s.whatsapp.net",
        sender_jid=f"{phone[1:]}@s.whatsapp.net",
        sender_lid=None,
        push_name="Cliente",
        timestamp=datetime.now(UTC),
        text=text,
    )
    result = ingest_event(InboundMessageArrived(world.tenant_id, world.number_id, msg))
    assert result.outcome.stored, result
    return result.outcome.stored[0].message_id


def outbound(sent_by: str | None = None, **where: Any) -> list[Message]:
    with session_scope() as session:
        query = select(Message).where(Message.direction == "out").order_by(col(Message.id))
        if sent_by:
            query = query.where(Message.sent_by == sent_by)
        for key, value in where.items():
            query = query.where(getattr(Message, key) == value)
        return list(session.exec(query).all())


def conversation_of(world: World, contact_id: int) -> Conversation | None:
    with session_scope() as session:
        return session.exec(
            select(Conversation).where(
                Conversation.tenant_id == world.tenant_id, Conversation.contact_id == contact_id
            )
        ).first()


def fast_scheduler(**overrides: Any) -> Scheduler:
    values: dict[str, Any] = {
        "interval": 0.2,
        "late_after": 2.0,
        "lease_ttl": 2.0,
        "campaign_every": 0.0,
        "optout_scan_every": 0.0,
    }
    values.update(overrides)
    return Scheduler(SchedulerConfig(**values))
