"""A merge that folds a conversation into another moves what hangs on the folded one (scheduled
messages, follow-ups, tags) to the kept conversation instead of letting it vanish with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from conftest import World
from inbox_helpers import conversations, inbound
from sqlmodel import select

from whatsapp_saas.crm.models import ConversationTag, Tag
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.contact_merge import merge_contacts
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.scheduling.models import FollowUp, FollowUpStatus, ScheduledMessage
from whatsapp_saas.tenancy.scope import TenantScope

PHONE = "+5511988887777"
LID = "123456789012345"
DUE = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)


def _two_threads(world: World) -> tuple[int, int, int, int]:
    """(survivor, merged, kept conversation, folded conversation): one person twice."""
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, phone=None, lid=LID, text="by lid", seconds=1))
    ingest_event(inbound(a.tenant_id, a.number_id, phone=PHONE, text="by phone", seconds=2))
    by_contact = {c.contact_id: c.id or 0 for c in conversations()}
    merged, survivor = sorted(by_contact)
    return survivor, merged, by_contact[survivor], by_contact[merged]


def _follow_up(tenant_id: int, conversation_id: int, status: FollowUpStatus) -> FollowUp:
    return FollowUp(
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        steps=[{"after_minutes": 60, "text": "Ainda precisa de ajuda?"}],
        anchor_at=DUE,
        due_at=DUE + timedelta(hours=1),
        status=status.value,
    )


def _schedule(tenant_id: int, number_id: int, contact_id: int, conversation_id: int) -> Any:
    return ScheduledMessage(
        tenant_id=tenant_id,
        number_id=number_id,
        contact_id=contact_id,
        conversation_id=conversation_id,
        text="Lembrete: sua consulta é amanhã",
        due_at=DUE,
        timezone="America/Sao_Paulo",
        anchor_local=DUE.replace(tzinfo=None),
    )


def _merge(world: World, survivor: int, merged: int) -> None:
    a = world.a
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        merge_contacts(scope, actor=a.owner, survivor_id=survivor, merged_id=merged)


def test_schedules_and_follow_ups_move_to_the_kept_conversation(world: World) -> None:
    a = world.a
    survivor, merged, kept, folded = _two_threads(world)
    with session_scope() as session:
        session.add(_schedule(a.tenant_id, a.number_id, merged, folded))
        session.add(_follow_up(a.tenant_id, folded, FollowUpStatus.PENDING))
        session.add(_follow_up(a.tenant_id, folded, FollowUpStatus.DONE))
    _merge(world, survivor, merged)
    assert [c.id for c in conversations()] == [kept]
    with session_scope() as session:
        (schedule,) = session.exec(select(ScheduledMessage)).all()
        follow_ups = session.exec(select(FollowUp).order_by(FollowUp.id)).all()  # type: ignore[arg-type]
    assert schedule.conversation_id == kept, "not left without a conversation"
    assert [(f.conversation_id, f.status) for f in follow_ups] == [
        (kept, "pending"),
        (kept, "done"),
    ]


def test_the_kept_conversations_own_pending_follow_up_wins(world: World) -> None:
    """At most one pending follow-up per conversation: the kept thread's goes on; the folded
    one's pending duplicate goes with it, its history moves."""
    a = world.a
    survivor, merged, kept, folded = _two_threads(world)
    with session_scope() as session:
        session.add(_follow_up(a.tenant_id, kept, FollowUpStatus.PENDING))
        session.flush()
        session.add(_follow_up(a.tenant_id, folded, FollowUpStatus.PENDING))
        session.add(_follow_up(a.tenant_id, folded, FollowUpStatus.CANCELLED))
    _merge(world, survivor, merged)
    with session_scope() as session:
        follow_ups = session.exec(select(FollowUp).order_by(FollowUp.id)).all()  # type: ignore[arg-type]
    assert [(f.conversation_id, f.status) for f in follow_ups] == [
        (kept, "pending"),
        (kept, "cancelled"),
    ]


def test_tags_union_without_duplicates(world: World) -> None:
    a = world.a
    survivor, merged, kept, folded = _two_threads(world)
    with session_scope() as session:
        vip, lead = (Tag(tenant_id=a.tenant_id, name=n) for n in ("VIP", "Lead"))
        session.add_all([vip, lead])
        session.flush()
        for conversation_id, tag in ((kept, vip), (folded, vip), (folded, lead)):
            session.add(
                ConversationTag(
                    tenant_id=a.tenant_id, conversation_id=conversation_id, tag_id=tag.id or 0
                )
            )
    _merge(world, survivor, merged)
    t: sa.Table = ConversationTag.__table__  # type: ignore[attr-defined]
    with session_scope() as session:
        rows = session.execute(sa.select(t.c.conversation_id, t.c.tag_id)).all()
    assert sorted(rows) == sorted([(kept, vip.id), (kept, lead.id)])
