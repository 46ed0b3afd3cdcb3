"""Builders for inbound events and small readers used by the inbox tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Conversation, Message
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp.events import InboundMessageArrived, ReceiptArrived, TypingChanged

_ids = itertools.count(1)
BASE_TIME = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def wa_id() -> str:
    return f"WAID{next(_ids):012d}"


def jid(phone: str) -> str:
    return f"{phone.removeprefix('+')}@s.whatsapp.net"


def inbound(
    tenant_id: int,
    number_id: int,
    *,
    phone: str | None = "+5511988887777",
    lid: str | None = None,
    text: str = "hello",
    message_id: str | None = None,
    push_name: str = "Maria",
    at: datetime | None = None,
    seconds: int = 0,
    media: gw.MediaRef | None = None,
    from_me: bool = False,
    is_group: bool = False,
) -> InboundMessageArrived:
    sender_jid = jid(phone) if phone else None
    sender_lid = f"{lid}@lid" if lid else None
    msg = gw.MessageReceived(
        session_id=str(number_id),
        message_id=message_id or wa_id(),
        chat=sender_jid or sender_lid or "",
        sender_jid=sender_jid,
        sender_lid=sender_lid,
        push_name=push_name,
        timestamp=at or BASE_TIME + timedelta(seconds=seconds),
        text=text,
        from_me=from_me,
        is_group=is_group,
        media=media,
    )
    return InboundMessageArrived(tenant_id, number_id, msg)


def receipt(tenant_id: int, number_id: int, kind: gw.ReceiptKind, *wa_ids: str) -> ReceiptArrived:
    event = gw.ReceiptReceived(
        session_id=str(number_id),
        kind=kind,
        chat="x@s.whatsapp.net",
        message_ids=wa_ids,
        timestamp=datetime.now(UTC),
    )
    return ReceiptArrived(tenant_id, number_id, event)


def typing(tenant_id: int, number_id: int, phone: str, on: bool = True) -> TypingChanged:
    return TypingChanged(tenant_id, number_id, jid(phone), on)


def image(locator: str = "media_1", size: int = 1234) -> gw.MediaRef:
    return gw.MediaRef(kind=gw.MediaKind.IMAGE, mimetype="image/jpeg", locator=locator, size=size)


def messages(**where: Any) -> list[Message]:
    with session_scope() as session:
        query = select(Message).order_by(col(Message.id))
        for name, value in where.items():
            query = query.where(getattr(Message, name) == value)
        return list(session.exec(query).all())


def conversations(**where: Any) -> list[Conversation]:
    with session_scope() as session:
        query = select(Conversation).order_by(col(Conversation.id))
        for name, value in where.items():
            query = query.where(getattr(Conversation, name) == value)
        return list(session.exec(query).all())
