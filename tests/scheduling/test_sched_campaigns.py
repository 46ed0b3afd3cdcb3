"""Campaigns: variables and variants, CSV recipients, pacing, pause/resume/cancel, at most once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sched_helpers import World, outbound

from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.models import TenantSendPolicy
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import MessageStatus
from whatsapp_saas.inbox.status import advance_one
from whatsapp_saas.scheduling import campaigns as svc
from whatsapp_saas.scheduling.campaign_models import Campaign, CampaignRecipient
from whatsapp_saas.scheduling.csv_import import parse_recipients
from whatsapp_saas.scheduling.dispatch_campaigns import advance_campaign
from whatsapp_saas.scheduling.progress import campaign_progress
from whatsapp_saas.scheduling.recurrence import utc_to_local
from whatsapp_saas.scheduling.templates import choose_variant, render

CSV = (
    "telefone;nome\n+55 11 98888-1001;Ana Souza\n(11) 98888-1002;Bruno\nabc;Zé\n\n"
    "+5511988881001;Ana de novo\n12;x\n"
)


def make(world: World, **extra: object) -> Campaign:
    fields: dict[str, object] = {
        "name": "Black Friday",
        "number_id": world.number_id,
        "text": "Olá {{first_name}}, oferta!",
        "contact_ids": world.contact_ids,
    }
    fields.update(extra)
    with session_scope() as session:
        draft = svc.create_campaign(world.scope(session), **fields)  # type: ignore[arg-type]
        return draft.campaign


def run(world: World, campaign_id: int, now: datetime | None = None) -> int:
    with session_scope() as session:
        return advance_campaign(
            session,
            tenant_id=world.tenant_id,
            campaign_id=campaign_id,
            now=now or datetime.now(UTC),
        )


def act(world: World, action, campaign_id: int) -> Campaign:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        return action(world.scope(session), campaign_id=campaign_id)


def recipients(campaign_id: int) -> list[CampaignRecipient]:
    with session_scope() as session:
        from sqlmodel import col, select

        query = select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id)
        return list(session.exec(query.order_by(col(CampaignRecipient.id))).all())


def test_csv_rows_are_validated_one_by_one() -> None:
    result = parse_recipients(CSV, "BR")
    assert [(r.phone, r.name) for r in result.recipients] == [
        ("+5511988881001", "Ana Souza"),
        ("+5511988881002", "Bruno"),
    ]
    assert [(e.line, e.value, e.code) for e in result.errors] == [
        (4, "abc", "error.sched_campaign_csv_phone_invalid"),
        (7, "12", "error.sched_campaign_csv_phone_invalid"),
    ]
    assert result.duplicates == 1
    assert parse_recipients("5511988881003\n", None).recipients[0].phone == "+5511988881003"


def test_templates_fill_variables_and_pick_a_stable_variant() -> None:
    assert render("Olá {{ name }}, {{first_name}}!", name="Ana  Souza", phone=None) == (
        "Olá Ana Souza, Ana!"
    )
    assert render("Olá {{name}}, tudo bem?", name=None, phone=None) == "Olá, tudo bem?"
    picks = {choose_variant("A", ["B", "C"], seed=s)[1] for s in range(50)}
    assert picks == {"A", "B", "C"}
    assert choose_variant("A", ["B", "C"], seed=7) == choose_variant("A", ["B", "C"], seed=7)


def test_unknown_variables_and_empty_lists_are_refused(world: World) -> None:
    with pytest.raises(UserError) as err:
        make(world, text="Olá {{nmoe}}")
    assert err.value.code == "error.sched_campaign_variable_unknown" and err.value.params == {
        "name": "nmoe"
    }
    with pytest.raises(UserError) as err:
        make(world, contact_ids=[], csv_text="abc\n")
    assert err.value.code == "error.sched_campaign_no_recipients"


def test_running_campaign_sends_each_recipient_its_rendered_text(world: World) -> None:
    campaign = make(world, variants=["Oi {{name}}!"], csv_text=CSV)
    assert campaign.total == 5  # 3 contacts + 2 good CSV rows
    assert run(world, campaign.id or 0) == 0  # a draft sends nothing
    act(world, svc.start_campaign, campaign.id or 0)
    assert run(world, campaign.id or 0) == 5
    bodies = sorted(m.body or "" for m in outbound(sent_by="campaign"))
    assert len(bodies) == 5 and all("{{" not in b for b in bodies)
    assert any("Cliente" in b for b in bodies) and any("Ana" in b for b in bodies)
    assert run(world, campaign.id or 0) == 0
    # Nobody waits, but five messages are still queued: running (Pause, Cancel) until sent.
    status = act(
        world, lambda s, campaign_id: s.get(Campaign, campaign_id).status, campaign.id or 0
    )
    assert status == "running"
    assert {r.status for r in recipients(campaign.id or 0)} == {"queued"}
    for message in outbound(sent_by="campaign"):
        with session_scope() as session:
            advance_one(
                session, message_id=message.id or 0, new=MessageStatus.SENT, at=datetime.now(UTC)
            )
    assert run(world, campaign.id or 0) == 0
    status = act(
        world, lambda s, campaign_id: s.get(Campaign, campaign_id).status, campaign.id or 0
    )
    assert status == "done"


def test_progress_counts_follow_the_messages(world: World) -> None:
    campaign = make(world)
    act(world, svc.start_campaign, campaign.id or 0)
    run(world, campaign.id or 0)
    first, second, third = outbound(sent_by="campaign")
    now = datetime.now(UTC)
    with session_scope() as session:
        advance_one(session, message_id=first.id or 0, new=MessageStatus.SENT, at=now)
        advance_one(session, message_id=second.id or 0, new=MessageStatus.READ, at=now)
        advance_one(
            session,
            message_id=third.id or 0,
            new=MessageStatus.FAILED,
            at=now,
            reason="invalid number",
        )
    with session_scope() as session:
        progress = campaign_progress(world.scope(session), campaign_ids=[campaign.id or 0])[
            campaign.id or 0
        ]
    assert (progress.sent, progress.read, progress.failed, progress.queued) == (1, 1, 1, 0)
    assert progress.total == 3


def test_batches_wait_for_the_sender_and_quiet_hours(world: World) -> None:
    campaign = make(world, csv_text="\n".join(f"+55119888820{i:02d}" for i in range(20)))
    with session_scope() as session:
        row = world.scope(session).get(Campaign, campaign.id)
        row.batch_size, row.max_in_flight = 4, 6
    act(world, svc.start_campaign, campaign.id or 0)
    assert run(world, campaign.id or 0) == 4
    assert run(world, campaign.id or 0) == 2  # six unsent messages in flight: wait
    assert run(world, campaign.id or 0) == 0
    for message in outbound(sent_by="campaign")[:3]:
        with session_scope() as session:
            advance_one(
                session, message_id=message.id or 0, new=MessageStatus.SENT, at=datetime.now(UTC)
            )
    assert run(world, campaign.id or 0) == 3
    local = utc_to_local(datetime.now(UTC), world.timezone)
    with session_scope() as session:  # quiet from one hour ago to one hour ahead
        world.scope(session).add(
            TenantSendPolicy(
                tenant_id=world.tenant_id,
                quiet_start=f"{(local.hour - 1) % 24:02d}:00",
                quiet_end=f"{(local.hour + 1) % 24:02d}:00",
            )
        )
    for message in outbound(sent_by="campaign"):
        with session_scope() as session:
            advance_one(
                session, message_id=message.id or 0, new=MessageStatus.SENT, at=datetime.now(UTC)
            )
    assert run(world, campaign.id or 0) == 0
    assert run(world, campaign.id or 0, datetime.now(UTC) + timedelta(hours=3)) == 4


def test_pause_resume_and_cancel(world: World) -> None:
    campaign = make(world, csv_text="\n".join(f"+55119888830{i:02d}" for i in range(10)))
    cid = campaign.id or 0
    with session_scope() as session:
        world.scope(session).get(Campaign, cid).batch_size = 3
    act(world, svc.start_campaign, cid)
    assert run(world, cid) == 3
    act(world, svc.pause_campaign, cid)
    assert run(world, cid) == 0
    with pytest.raises(UserError):
        act(world, svc.pause_campaign, cid)  # already paused
    act(world, svc.resume_campaign, cid)
    assert run(world, cid) == 3
    first = outbound(sent_by="campaign")[0]
    with session_scope() as session:  # the sender already has this one
        advance_one(
            session, message_id=first.id or 0, new=MessageStatus.SENDING, at=datetime.now(UTC)
        )
    act(world, svc.cancel_campaign, cid)
    assert run(world, cid) == 0
    statuses = sorted(m.status or "" for m in outbound(sent_by="campaign"))
    assert statuses == ["failed"] * 5 + ["sending"]
    assert all(m.failure_reason == "campaign cancelled" for m in outbound(status="failed"))
    with session_scope() as session:
        progress = campaign_progress(world.scope(session), campaign_ids=[cid])[cid]
    assert (progress.cancelled, progress.failed, progress.queued) == (7, 5, 1)


def test_a_crash_mid_batch_leaves_nothing_half_done(world: World) -> None:
    campaign = make(world)
    cid = campaign.id or 0
    act(world, svc.start_campaign, cid)

    class Crash(Exception):
        pass

    with pytest.raises(Crash), session_scope() as session:
        assert (
            advance_campaign(
                session, tenant_id=world.tenant_id, campaign_id=cid, now=datetime.now(UTC)
            )
            == 3
        )
        raise Crash  # the process dies before COMMIT
    assert outbound() == [] and {r.status for r in recipients(cid)} == {"pending"}
    assert run(world, cid) == 3
    assert run(world, cid) == 0
    assert len(outbound(sent_by="campaign")) == 3


def test_concurrent_runners_never_send_a_recipient_twice(world: World) -> None:
    campaign = make(world, csv_text="\n".join(f"+55119888840{i:02d}" for i in range(60)))
    cid = campaign.id or 0
    with session_scope() as session:
        row = world.scope(session).get(Campaign, cid)
        row.batch_size, row.max_in_flight = 7, 1000
    act(world, svc.start_campaign, cid)

    def runner() -> None:
        for _ in range(15):
            run(world, cid)

    threads = [threading.Thread(target=runner) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    messages = outbound(sent_by="campaign")
    assert len(messages) == 63
    assert len({m.conversation_id for m in messages}) == 63


def test_the_same_number_twice_is_one_recipient(world: World) -> None:
    campaign = make(world, contact_ids=world.contact_ids[:1], csv_text="+5511988880001\n")
    assert campaign.total == 1  # the contact's phone and the CSV row are the same person


def test_another_tenant_cannot_control_a_campaign(world: World, other: World) -> None:
    from whatsapp_saas.tenancy.scope import NotFound

    campaign = make(world)
    with pytest.raises(NotFound):
        act(other, svc.start_campaign, campaign.id or 0)
    with session_scope() as session:
        assert svc.list_campaigns(other.scope(session)) == []
