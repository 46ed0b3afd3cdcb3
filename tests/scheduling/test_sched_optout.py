"""Opt-out: stop keywords (pt-BR and en, per tenant), logged, and respected everywhere."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sched_helpers import PHONES, World, conversation_of, customer_writes, outbound

from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.events import MessageStored
from whatsapp_saas.scheduling import campaigns as svc
from whatsapp_saas.scheduling.dispatch_campaigns import advance_campaign
from whatsapp_saas.scheduling.dispatch_followups import fire_due_follow_ups
from whatsapp_saas.scheduling.followups import start_follow_up
from whatsapp_saas.scheduling.handlers import on_message_stored
from whatsapp_saas.scheduling.models import ContactOptOut, FollowUp
from whatsapp_saas.scheduling.optout import (
    is_opted_out,
    matched_keyword,
    normalise,
    record_opt_out,
    revoke_opt_out,
)
from whatsapp_saas.scheduling.optout_scan import LAG, scan_opt_outs
from whatsapp_saas.scheduling.preferences import DEFAULT_STOP_KEYWORDS, save_preferences


@pytest.mark.parametrize(
    "text", ["PARAR", "parar", "Parar!", " sair ", "STOP", "Cancelar.", "unsubscribe", "🛑 stop"]
)
def test_stop_keywords_match_the_whole_message(text: str) -> None:
    assert matched_keyword(text, DEFAULT_STOP_KEYWORDS) is not None


@pytest.mark.parametrize("text", ["não vou parar de comprar", "stop by tomorrow", "", "parara"])
def test_ordinary_messages_do_not_opt_out(text: str) -> None:
    assert matched_keyword(text, DEFAULT_STOP_KEYWORDS) is None


def test_normalise_drops_accents_and_punctuation() -> None:
    assert normalise("  Não, obrigado!! ") == "NAO OBRIGADO"


def stored_event(world: World, message_id: int) -> MessageStored:
    conversation = conversation_of(world, world.contact_ids[0])
    assert conversation is not None and conversation.id is not None
    return MessageStored(
        world.tenant_id,
        message_id,
        conversation.id,
        world.number_id,
        world.contact_ids[0],
        "in",
        "text",
        "W1",
    )


def opt_outs(world: World) -> list[ContactOptOut]:
    with session_scope() as session:
        return list(world.scope(session).all(ContactOptOut))


def test_a_stop_keyword_opts_the_contact_out_with_its_time(world: World) -> None:
    message_id = customer_writes(world, "Parar")
    before = datetime.now(UTC)
    asyncio.run(on_message_stored(stored_event(world, message_id)))
    (entry,) = opt_outs(world)
    assert entry.contact_id == world.contact_ids[0] and entry.keyword == "PARAR"
    assert entry.source == "keyword" and entry.message_id == message_id
    assert before - timedelta(seconds=5) <= entry.opted_out_at <= datetime.now(UTC)
    asyncio.run(on_message_stored(stored_event(world, message_id)))  # idempotent
    assert len(opt_outs(world)) == 1


def test_keywords_are_configurable_per_tenant(world: World, other: World) -> None:
    with session_scope() as session:
        save_preferences(world.scope(session), stop_keywords=["chega", "basta"])
    message_id = customer_writes(world, "Chega!")
    asyncio.run(on_message_stored(stored_event(world, message_id)))
    assert len(opt_outs(world)) == 1
    second = customer_writes(world, "stop", phone=PHONES[1])  # no longer a keyword here
    conversation = conversation_of(world, world.contact_ids[1])
    assert conversation is not None and conversation.id is not None
    event = MessageStored(
        world.tenant_id,
        second,
        conversation.id,
        world.number_id,
        world.contact_ids[1],
        "in",
        "text",
        "W2",
    )
    asyncio.run(on_message_stored(event))
    assert len(opt_outs(world)) == 1


def test_the_scan_catches_a_keyword_whose_hook_was_lost(world: World) -> None:
    with session_scope() as session:
        scan_opt_outs(session, now=datetime.now(UTC))  # first run: starts at the newest message
    customer_writes(world, "SAIR")  # stored; the hook never ran (crash after commit)
    with session_scope() as session:
        assert scan_opt_outs(session, now=datetime.now(UTC)) == 0  # too fresh to trust the order
    with session_scope() as session:
        assert scan_opt_outs(session, now=datetime.now(UTC) + LAG + timedelta(seconds=1)) == 1
    with session_scope() as session:
        assert scan_opt_outs(session, now=datetime.now(UTC) + LAG * 2) == 0  # read once
    assert [o.keyword for o in opt_outs(world)] == ["SAIR"]


def test_opted_out_contacts_get_no_campaign(world: World) -> None:
    with session_scope() as session:
        record_opt_out(world.scope(session), contact_id=world.contact_ids[0], source="manual")
        draft = svc.create_campaign(
            world.scope(session),
            name="Promo",
            number_id=world.number_id,
            text="Oferta",
            contact_ids=world.contact_ids,
            csv_text=PHONES[0],
        )
        svc.start_campaign(world.scope(session), campaign_id=draft.campaign.id or 0)
    with session_scope() as session:
        advance_campaign(
            session,
            tenant_id=world.tenant_id,
            campaign_id=draft.campaign.id or 0,
            now=datetime.now(UTC),
        )
    sent_to = {m.conversation_id for m in outbound(sent_by="campaign")}
    assert len(sent_to) == 2
    first = conversation_of(world, world.contact_ids[0])
    assert first is None or first.id not in sent_to


def test_opted_out_contacts_get_no_follow_up(world: World) -> None:
    customer_writes(world, "Oi")
    conversation = conversation_of(world, world.contact_ids[0])
    assert conversation is not None and conversation.id is not None
    steps = [{"delay_hours": 1, "text": "E aí?"}]
    with session_scope() as session:
        follow_up = start_follow_up(
            world.scope(session),
            actor=None,
            conversation_id=conversation.id,
            steps=steps,
            business_hours_only=False,
        )
        record_opt_out(world.scope(session), contact_id=world.contact_ids[0], source="manual")
    with session_scope() as session:
        fire_due_follow_ups(session, now=follow_up.due_at + timedelta(seconds=1))
    with session_scope() as session:
        row = world.scope(session).get(FollowUp, follow_up.id)
        assert row.status == "cancelled" and row.cancel_reason == "opted_out"
        with pytest.raises(UserError) as err:
            start_follow_up(
                world.scope(session), actor=None, conversation_id=conversation.id, steps=steps
            )
        assert err.value.code == "error.sched_followup_opted_out"
    assert outbound(sent_by="schedule") == []


def test_revoking_keeps_the_log(world: World) -> None:
    with session_scope() as session:
        scope = world.scope(session)
        record_opt_out(scope, contact_id=world.contact_ids[0], source="manual")
        assert revoke_opt_out(scope, contact_id=world.contact_ids[0])
        assert not is_opted_out(scope, contact_id=world.contact_ids[0])
        record_opt_out(scope, contact_id=world.contact_ids[0], source="keyword", keyword="STOP")
    assert len(opt_outs(world)) == 2


def test_stop_withdraws_bulk_messages_still_waiting_in_the_outbox(world: World) -> None:
    from whatsapp_saas.inbox.models import MessageStatus
    from whatsapp_saas.inbox.status import advance_one

    with session_scope() as session:
        draft = svc.create_campaign(world.scope(session), name="Promo", number_id=world.number_id,
                                    text="Oferta", contact_ids=world.contact_ids[:2])  # fmt: skip
        svc.start_campaign(world.scope(session), campaign_id=draft.campaign.id or 0)
    with session_scope() as session:
        advance_campaign(
            session,
            tenant_id=world.tenant_id,
            campaign_id=draft.campaign.id or 0,
            now=datetime.now(UTC),
        )
    _first, second = outbound(sent_by="campaign")
    with session_scope() as session:  # the sender already holds the second contact's message
        advance_one(
            session, message_id=second.id or 0, new=MessageStatus.SENDING, at=datetime.now(UTC)
        )
    message_id = customer_writes(world, "STOP")  # the first contact
    asyncio.run(on_message_stored(stored_event(world, message_id)))
    first_after, second_after = outbound(sent_by="campaign")
    assert (first_after.status, first_after.failure_reason) == ("failed", "opted out")
    assert second_after.status == "sending"
