"""A contact merge, through the spine: scheduling's rows follow the merged contact to the
survivor (``scheduling/merge_effects.py``, a durable subscriber of ``ContactsMerged``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from conftest import Shop, make_shop
from spine_helpers import event_rows, rows

from whatsapp_saas.contacts.merge import fold_contacts
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.events.cli import drain
from whatsapp_saas.inbox.contact_merge import INBOX_PARTICIPANTS
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.scheduling import merge_effects
from whatsapp_saas.scheduling.campaign_models import Campaign, CampaignRecipient
from whatsapp_saas.scheduling.models import CancelReason, ContactOptOut, FollowUp, ScheduledMessage
from whatsapp_saas.tenancy.scope import TenantScope

DUE = datetime(2027, 1, 5, 15, 0, tzinfo=UTC)
OPTED_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _contact(shop: Shop, phone: str) -> int:
    with session_scope() as session:
        contact = Contact(tenant_id=shop.tenant_id, phone=phone)
        session.add(contact)
        session.flush()
        assert contact.id is not None
        session.add(
            Conversation(tenant_id=shop.tenant_id, number_id=shop.number_id, contact_id=contact.id)
        )
        return contact.id


def _schedule(shop: Shop, contact_id: int, text: str, due: datetime = DUE) -> None:
    with session_scope() as session:
        session.add(
            ScheduledMessage(
                tenant_id=shop.tenant_id,
                number_id=shop.number_id,
                contact_id=contact_id,
                text=text,
                due_at=due,
                timezone="America/Sao_Paulo",
                anchor_local=due.replace(tzinfo=None),
            )
        )


def _campaign(shop: Shop, contact_ids: list[int]) -> int:
    with session_scope() as session:
        campaign = Campaign(
            tenant_id=shop.tenant_id, name="Promo", number_id=shop.number_id, text="Oferta"
        )
        session.add(campaign)
        session.flush()
        assert campaign.id is not None
        for contact_id in contact_ids:
            session.add(
                CampaignRecipient(
                    tenant_id=shop.tenant_id,
                    campaign_id=campaign.id,
                    recipient_key=f"contact:{contact_id}",
                    contact_id=contact_id,
                )
            )
        return campaign.id


def _opt_out(shop: Shop, contact_id: int, **fields: Any) -> None:
    with session_scope() as session:
        session.add(ContactOptOut(tenant_id=shop.tenant_id, contact_id=contact_id, **fields))


def _merge(shop: Shop, survivor_id: int, merged_id: int) -> None:
    with session_scope() as session:
        fold_contacts(
            TenantScope(session, shop.tenant_id),
            survivor_id=survivor_id,
            merged_id=merged_id,
            participants=INBOX_PARTICIPANTS,
        )


def _subscriber_drain() -> int:
    return drain([merge_effects.subscriber()])


def test_opt_outs_and_scheduled_rows_follow_a_merge_once(db: str) -> None:
    shop = make_shop()
    survivor, merged = _contact(shop, "+5511911110001"), _contact(shop, "+5511911110002")
    _opt_out(shop, merged, source="keyword", keyword="PARAR", opted_out_at=OPTED_AT)
    _schedule(shop, survivor, "Lembrete")
    _schedule(shop, merged, "Lembrete")  # the same reminder, written to both: one must go
    _schedule(shop, merged, "Outro", DUE + timedelta(days=1))
    campaign = _campaign(shop, [survivor, merged])
    _merge(shop, survivor, merged)
    assert [r.type for r in event_rows("ContactsMerged")] == ["ContactsMerged"]

    assert _subscriber_drain() >= 1
    [opt] = rows(
        "SELECT contact_id, source, keyword, opted_out_at, revoked_at FROM contact_opt_outs"
    )
    assert (opt.contact_id, opt.source, opt.keyword, opt.revoked_at) == (
        survivor,
        "keyword",
        "PARAR",
        None,
    )
    assert opt.opted_out_at == OPTED_AT
    schedules = rows("SELECT contact_id, text, status FROM scheduled_messages ORDER BY id")
    assert [tuple(r) for r in schedules] == [
        (survivor, "Lembrete", "pending"),
        (survivor, "Lembrete", "cancelled"),
        (survivor, "Outro", "pending"),
    ]
    recipients = rows(
        "SELECT contact_id, status, reason FROM campaign_recipients "
        "WHERE campaign_id = :c ORDER BY id",
        c=campaign,
    )
    assert [tuple(r) for r in recipients] == [
        (survivor, "pending", None),
        (survivor, "cancelled", merge_effects.DUPLICATE_REASON),
    ]

    before = _snapshot()
    _replay_merge_event(shop)
    assert _subscriber_drain() == 1
    assert _snapshot() == before, "the same event twice does nothing the second time"


def test_the_survivors_own_opt_out_wins_and_revoked_history_moves(db: str) -> None:
    shop = make_shop()
    survivor, merged = _contact(shop, "+5511911110003"), _contact(shop, "+5511911110004")
    _opt_out(shop, survivor, source="manual", opted_out_at=OPTED_AT)
    _opt_out(shop, merged, source="keyword", keyword="SAIR")
    _opt_out(
        shop,
        merged,
        source="keyword",
        keyword="STOP",
        opted_out_at=OPTED_AT,
        revoked_at=OPTED_AT + timedelta(hours=1),
    )
    _merge(shop, survivor, merged)
    _subscriber_drain()
    found = rows(
        "SELECT contact_id, source, keyword, revoked_at IS NULL AS active "
        "FROM contact_opt_outs ORDER BY id"
    )
    assert [tuple(r) for r in found] == [
        (survivor, "manual", None, True),  # at most one active entry: the survivor's own
        (merged, "keyword", "SAIR", True),  # stays on the merged row, as its history
        (survivor, "keyword", "STOP", False),
    ]


def test_a_merge_with_nothing_to_move_is_passed(db: str) -> None:
    shop = make_shop()
    survivor, merged = _contact(shop, "+5511911110005"), _contact(shop, "+5511911110006")
    _merge(shop, survivor, merged)  # nothing to move: the subscriber passes the event
    assert _subscriber_drain() >= 1
    assert rows("SELECT count(*) FROM contact_opt_outs")[0][0] == 0
    assert _subscriber_drain() == 0


def _replay_merge_event(shop: Shop) -> None:
    """The runner handing the same merge over again (after a crash before its cursor moved):
    rewind the subscriber's cursor of this tenant by one event."""
    [event] = event_rows("ContactsMerged")
    with session_scope() as session:
        session.execute(
            sa.text(
                "UPDATE event_cursors SET last_seq = :seq, last_event_id = :id "
                "WHERE subscriber = :s AND tenant_id = :t"
            ),
            {
                "seq": event.seq - 1,
                "id": event.id - 1,
                "s": merge_effects.NAME,
                "t": shop.tenant_id,
            },
        )


def _snapshot() -> list[Any]:
    return [
        [tuple(r) for r in rows(f"SELECT * FROM {table} ORDER BY id")]
        for table in ("contact_opt_outs", "scheduled_messages", "campaign_recipients")
    ]


def test_a_survivor_opted_out_by_the_merge_stops_its_follow_ups(db: str) -> None:
    """As a stop keyword would: the survivor's running follow-up is cancelled at once."""
    shop = make_shop()
    survivor, merged = _contact(shop, "+5511911110007"), _contact(shop, "+5511911110008")
    _opt_out(shop, merged, source="keyword", keyword="PARAR", opted_out_at=OPTED_AT)
    with session_scope() as session:
        [conversation_id] = session.execute(
            sa.text("SELECT id FROM conversations WHERE contact_id = :c"), {"c": survivor}
        ).scalars()
        session.add(
            FollowUp(
                tenant_id=shop.tenant_id,
                conversation_id=conversation_id,
                steps=[{"delay_hours": 24, "text": "Ainda por aí?"}],
                anchor_at=DUE,
                due_at=DUE + timedelta(hours=24),
            )
        )
    _merge(shop, survivor, merged)
    _subscriber_drain()
    [follow_up] = rows("SELECT status, cancel_reason FROM follow_ups")
    assert tuple(follow_up) == ("cancelled", CancelReason.OPTED_OUT.value)
