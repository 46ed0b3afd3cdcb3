"""Builders and readers for the delivery tests and benchmarks: tenants, numbers, threads and
queued messages written through the inbox's own outbox (``queue_message``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from whatsapp_saas.contacts.service import create_contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.common.jobs import SendJob, SendOutcome
from whatsapp_saas.delivery.models import DeliveryState
from whatsapp_saas.inbox.conversation_rows import find_or_create
from whatsapp_saas.inbox.models import Conversation, Message, SentBy
from whatsapp_saas.inbox.outbox import Draft, queue_message
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber


def random_phone() -> str:
    return "+55119" + "".join(secrets.choice("0123456789") for _ in range(8))


def make_tenant(name: str = "Acme", timezone: str = "America/Sao_Paulo") -> int:
    with session_scope() as session:
        tenant = Tenant(name=name, timezone=timezone)
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        return tenant.id


def make_number(
    tenant_id: int, phone: str | None = None, linked_days_ago: float | None = 60.0
) -> int:
    """A number row as the manager leaves it once linked (no session behind it)."""
    linked = utcnow() - timedelta(days=linked_days_ago) if linked_days_ago is not None else None
    with session_scope() as session:
        row = WhatsAppNumber(
            tenant_id=tenant_id,
            name="Sales",
            phone=phone or random_phone(),
            state="connected",
            last_connected_at=linked,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def make_conversations(tenant_id: int, number_id: int, phones: Sequence[str]) -> list[int]:
    with session_scope() as session:
        scope = TenantScope(session, tenant_id)
        keys = []
        for phone in phones:
            contact = create_contact(scope, phone=phone)
            session.flush()
            assert contact.id is not None
            keys.append((number_id, contact.id))
        found = find_or_create(scope, first_seen={key: utcnow() for key in keys})
        return [found[key] for key in keys]


def queue(
    tenant_id: int,
    items: Sequence[tuple[int, str]],
    sent_by: SentBy = SentBy.AGENT,
) -> list[int]:
    """Queue (conversation_id, text) messages in one transaction; returns their ids."""
    ids = []
    with session_scope() as session:
        scope = TenantScope(session, tenant_id)
        threads = {c.id: c for c in scope.all(Conversation)}
        for conversation_id, text in items:
            message = queue_message(
                scope,
                conversation=threads[conversation_id],
                draft=Draft(body=text, sent_by=sent_by),
            )
            assert message.id is not None
            ids.append(message.id)
    return ids


def rows(ids: Sequence[int]) -> dict[int, Message]:
    with session_scope() as session:
        found = session.exec(select(Message).where(col(Message.id).in_(list(ids)))).all()
        return {m.id: m for m in found if m.id is not None}


def statuses(ids: Sequence[int]) -> dict[int, str | None]:
    return {i: m.status for i, m in rows(ids).items()}


def state(message_id: int) -> DeliveryState | None:
    with session_scope() as session:
        return session.get(DeliveryState, message_id)


def set_columns(message_ids: Sequence[int], **values: object) -> None:
    table: sa.Table = Message.__table__  # type: ignore[attr-defined]
    with session_scope() as session:
        session.execute(sa.update(table).where(table.c.id.in_(list(message_ids))).values(**values))


@dataclass
class FakeTransport:
    """Records sends; ``script`` maps a message id to the failures to return first."""

    sent: list[SendJob] = field(default_factory=list)
    script: dict[int, list[SendOutcome]] = field(default_factory=dict)
    sent_at: list[datetime] = field(default_factory=list)

    async def send(self, jobs: Sequence[SendJob]) -> list[SendOutcome]:
        outcomes = []
        for job in jobs:
            planned = self.script.get(job.message_id)
            if planned:
                outcomes.append(planned.pop(0))
                continue
            self.sent.append(job)
            self.sent_at.append(utcnow())
            outcomes.append(
                SendOutcome(job.message_id, True, job.wa_message_id, utcnow().isoformat())
            )
        return outcomes

    async def close(self) -> None:
        return None

    def ids(self) -> list[int]:
        return [job.message_id for job in self.sent]


def bulk_queue(
    tenant_id: int, items: Sequence[tuple[int, int, str]], sent_by: SentBy = SentBy.AGENT
) -> list[int]:
    """Queue many (conversation_id, number_id, text) messages with one INSERT: the rows the
    inbox's ``queue_message`` writes, and the same ``OutboundQueued`` events (which wake the
    sender after commit), minus its per-message bookkeeping (previews, counters), which fault
    tests and benchmarks do not need."""
    from whatsapp_saas.db import announce_after_commit
    from whatsapp_saas.inbox.events import OutboundQueued
    from whatsapp_saas.inbox.outbox import new_wa_message_id

    table: sa.Table = Message.__table__  # type: ignore[attr-defined]
    now = utcnow()
    values: list[dict[str, Any]] = [
        {
            "tenant_id": tenant_id, "conversation_id": c, "number_id": n,
            "wa_message_id": new_wa_message_id(), "direction": "out", "type": "text",
            "body": text, "status": "queued", "queued_at": now, "sent_by": sent_by.value,
            "created_at": now, "reactions": {}, "is_internal_note": False, "media_attempts": 0,
        }
        for c, n, text in items
    ]  # fmt: skip
    with session_scope() as session:
        found = session.execute(
            sa.insert(table).returning(
                table.c.id, table.c.conversation_id, table.c.number_id, table.c.wa_message_id
            ),
            values,
        ).all()
        announce_after_commit(
            session, *(OutboundQueued(tenant_id, m, c, n, wa) for m, c, n, wa in found)
        )
    return sorted(int(row[0]) for row in found)
