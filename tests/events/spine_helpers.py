"""Small builders for the spine tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from whatsapp_saas.db import session_scope
from whatsapp_saas.events.store import EVENTS
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.events import InboundMessageArrived

BASE = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def inbound(tenant_id: int, number_id: int, i: int, *, contacts: int = 20) -> InboundMessageArrived:
    """Message ``i`` from one of ``contacts`` customers, with a fixed WhatsApp id."""
    phone = f"55119{(i % contacts):08d}"
    msg = gw.MessageReceived(
        session_id=str(number_id),
        message_id=f"CRASH{number_id:04d}{i:08d}",
        chat=f"{phone}@s.whatsapp.net",
        sender_jid=f"{phone}@s.whatsapp.net",
        sender_lid=None,
        push_name="Cliente",
        timestamp=BASE + timedelta(milliseconds=i),
        text=f"order {i}",
    )
    return InboundMessageArrived(tenant_id, number_id, msg)


def rows(sql: str, **params: Any) -> list[Any]:
    with session_scope() as session:
        return list(session.execute(sa.text(sql), params).all())


def event_rows(type_name: str | None = None) -> list[Any]:
    t = EVENTS
    query = sa.select(t.c.id, t.c.tenant_id, t.c.seq, t.c.type, t.c.conversation_id, t.c.payload)
    if type_name:
        query = query.where(t.c.type == type_name)
    with session_scope() as session:
        return list(session.execute(query.order_by(t.c.id)).all())
