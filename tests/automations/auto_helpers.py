"""Builders shared by the automation tests: a tenant with a number, contacts and rules."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from whatsapp_saas.accounts.models import Role, User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import service
from whatsapp_saas.automations.models import AutomationRun
from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.events.cli import drain as drain_spine
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.events import InboundMessageArrived
from whatsapp_saas.whatsapp.models import WhatsAppNumber

PHONES = ("+5511988880001", "+5511988880002")
_wa_ids = itertools.count(1)


class World:
    def __init__(self, tenant_id: int, number_id: int, owner: CurrentUser, agent: CurrentUser):
        self.tenant_id, self.number_id, self.owner, self.agent = tenant_id, number_id, owner, agent


def _user(session: Any, tenant_id: int, name: str, role: Role) -> CurrentUser:
    user = User(
        tenant_id=tenant_id,
        email=f"{role.value}@{name.lower()}.io",
        name=role.value,
        password_hash="x",
        role=role.value,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    return CurrentUser(user.id, tenant_id, name, role.value, user.email, role.value, "en", "UTC")


def make_world(name: str = "Acme") -> World:
    with session_scope() as session:
        tenant = Tenant(name=name, timezone="America/Sao_Paulo")
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        number = WhatsAppNumber(tenant_id=tenant.id, name="Main", phone="+5511900000000")
        session.add(number)
        owner = _user(session, tenant.id, name, Role.OWNER)
        agent = _user(session, tenant.id, name, Role.AGENT)
        scope = TenantScope(session, tenant.id)
        create_contact(scope, phone=PHONES[0], name="Maria Silva")
        session.flush()
        assert number.id is not None
        return World(tenant.id, number.id, owner, agent)


def add_rule(world: World, **values: Any) -> int:
    defaults: dict[str, Any] = {
        "name": "Price",
        "trigger": {"type": "keyword", "match": "contains", "keyword": "preco"},
        "conditions": [],
        "actions": [{"type": "send_message", "message": "Olá {{contact.first_name}}!"}],
    }
    defaults.update(values)
    with session_scope() as session:
        rule = service.save_rule(
            TenantScope(session, world.tenant_id), actor=world.owner, **defaults
        )
        assert rule.id is not None
        return rule.id


def inbound(
    world: World, text: str, phone: str = PHONES[0], from_me: bool = False, run: bool = True
) -> int:
    """Ingest a message and run the spine's durable subscribers (the automations), as the
    spine runner does right after the commit (``run=False``: only ingest); its stored id."""
    msg = gw.MessageReceived(
        session_id=str(world.number_id),
        message_id=f"AU{next(_wa_ids):010d}",
        chat=f"{phone[1:]}@s.whatsapp.net",
        sender_jid=f"{phone[1:]}@s.whatsapp.net",
        sender_lid=None,
        push_name="Maria",
        timestamp=datetime.now(UTC),
        text=text,
        from_me=from_me,
    )
    result = ingest_event(InboundMessageArrived(world.tenant_id, world.number_id, msg))
    assert result.outcome.stored, result
    if run:
        drain_spine()
    return result.outcome.stored[0].message_id


def automated(world: World) -> list[Message]:
    with session_scope() as session:
        query = select(Message).where(
            Message.tenant_id == world.tenant_id, Message.sent_by == "automation"
        )
        return list(session.exec(query.order_by(col(Message.id))).all())


def runs(world: World) -> list[AutomationRun]:
    with session_scope() as session:
        query = select(AutomationRun).where(AutomationRun.tenant_id == world.tenant_id)
        return list(session.exec(query.order_by(col(AutomationRun.id))).all())


def conversation(world: World) -> Conversation:
    with session_scope() as session:
        row = session.exec(
            select(Conversation).where(Conversation.tenant_id == world.tenant_id)
        ).first()
        assert row is not None
        return row
