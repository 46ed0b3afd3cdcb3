"""Embedded mode too: the same claims on SQLite (no FOR UPDATE, one writer at a time) and on
PostgreSQL, through the ``any_db`` fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sched_helpers import World, conversation_of, customer_writes, fast_scheduler, outbound

from whatsapp_saas.db import session_scope
from whatsapp_saas.scheduling import campaigns as svc
from whatsapp_saas.scheduling.dispatch_campaigns import advance_campaign
from whatsapp_saas.scheduling.dispatch_followups import fire_due_follow_ups
from whatsapp_saas.scheduling.followups import start_follow_up
from whatsapp_saas.scheduling.models import FollowUp, ScheduledMessage
from whatsapp_saas.scheduling.recurrence import utc_to_local
from whatsapp_saas.scheduling.schedules import create_schedule


def test_schedules_follow_ups_and_campaigns_on_both_databases(sqlite_world: World) -> None:
    lite = sqlite_world
    now = datetime.now(UTC)
    with session_scope() as session:
        scope = lite.scope(session)
        schedule = create_schedule(
            scope,
            actor=lite.owner,
            number_id=lite.number_id,
            contact_id=lite.contact_ids[0],
            when_local=utc_to_local(now + timedelta(minutes=1), lite.timezone),
            text="Oi",
            recurrence="daily",
        )
    scheduler = fast_scheduler()
    assert scheduler.run_once() is not None  # the lease works on both
    at = now + timedelta(minutes=1, seconds=1)
    assert scheduler.dispatch(at).schedules == 1
    assert scheduler.dispatch(at).schedules == 0  # claimed once
    with session_scope() as session:
        row = lite.scope(session).get(ScheduledMessage, schedule.id)
        assert row.status == "pending" and row.sent_count == 1

    customer_writes(lite, "Olá")
    conversation = conversation_of(lite, lite.contact_ids[0])
    assert conversation is not None and conversation.id is not None
    with session_scope() as session:
        follow_up = start_follow_up(
            lite.scope(session),
            actor=None,
            conversation_id=conversation.id,
            steps=[{"delay_hours": 1, "text": "E aí?"}],
            business_hours_only=False,
        )
    with session_scope() as session:
        assert len(fire_due_follow_ups(session, now=follow_up.due_at + timedelta(seconds=1))) == 1
    with session_scope() as session:
        assert lite.scope(session).get(FollowUp, follow_up.id).status == "done"

    with session_scope() as session:
        draft = svc.create_campaign(
            lite.scope(session),
            name="Promo",
            number_id=lite.number_id,
            text="Oi {{first_name}}",
            contact_ids=lite.contact_ids,
        )
        svc.start_campaign(lite.scope(session), campaign_id=draft.campaign.id or 0)
    with session_scope() as session:
        assert (
            advance_campaign(
                session, tenant_id=lite.tenant_id, campaign_id=draft.campaign.id or 0, now=now
            )
            == 3
        )
    with session_scope() as session:
        assert (
            advance_campaign(
                session, tenant_id=lite.tenant_id, campaign_id=draft.campaign.id or 0, now=now
            )
            == 0
        )
    assert len(outbound(sent_by="campaign")) == 3 and len(outbound(sent_by="schedule")) == 2
