"""Recording is atomic with the transaction: an event exists if and only if its commit did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from conftest import QueryCounter, Shop, make_shop
from spine_helpers import event_rows, inbound

from tests.conftest import current_graph
from whatsapp_saas.bootstrap import event_registry
from whatsapp_saas.contacts.events import ContactsMerged
from whatsapp_saas.db import announce_after_commit, session_scope
from whatsapp_saas.inbox.events import (
    ConversationRead,
    ConversationUpdated,
    MessageDelivered,
    MessageReceived,
    MessageStatusChanged,
    MessageStored,
    TypingIndicated,
    status_changed,
)
from whatsapp_saas.inbox.ingest import ingest_batch
from whatsapp_saas.whatsapp.events import QrUpdated

AT = datetime(2026, 12, 2, 5, 30, 1, 123456, tzinfo=UTC)


def heard() -> list[object]:
    found: list[object] = []
    current_graph().bus.subscribe_batch(object, found.extend)
    return found


def test_committed_events_are_stored_and_come_back_equal(shop: Shop) -> None:
    delivered = status_changed(shop.tenant_id, 7, 3, shop.number_id, "delivered", AT, None)
    merged = ContactsMerged(shop.tenant_id, 1, 2, ((5, 6), (7, 8)))
    read = ConversationRead(shop.tenant_id, 3, shop.number_id, "x@s.whatsapp.net", ("A", "B"), 1)
    live = heard()
    with session_scope() as session:
        announce_after_commit(session, delivered, merged, read)
        assert event_rows() == []  # not before commit
        assert live == []
    stored = event_rows()
    assert [r.type for r in stored] == ["MessageDelivered", "ContactsMerged", "ConversationRead"]
    assert [r.seq for r in stored] == [1, 2, 3]
    assert [r.conversation_id for r in stored] == [3, None, 3]
    registry = event_registry()
    back = [registry.decode(r.type, r.payload) for r in stored]
    assert back == [delivered, merged, read]
    assert isinstance(back[0], MessageDelivered) and isinstance(back[0], MessageStatusChanged)
    assert live == [delivered, merged, read]


def test_a_rolled_back_transaction_leaves_no_event(shop: Shop) -> None:
    live = heard()
    with pytest.raises(RuntimeError), session_scope() as session:
        announce_after_commit(session, MessageDelivered(shop.tenant_id, 1, 1, 1, "delivered", AT))
        session.flush()
        raise RuntimeError("the service failed after announcing")
    assert event_rows() == [] and live == []
    with session_scope() as session:  # the sequence number was not used up
        announce_after_commit(session, MessageDelivered(shop.tenant_id, 1, 1, 1, "delivered", AT))
    assert [r.seq for r in event_rows()] == [1]


def test_a_commit_that_fails_records_nothing(shop: Shop) -> None:
    class Unstorable:  # a field JSON cannot hold: the commit itself fails
        pass

    with pytest.raises(TypeError), session_scope() as session:
        announce_after_commit(session, MessageDelivered(shop.tenant_id, 1, 1, 1, "delivered", AT))
        announce_after_commit(session, _Bad(shop.tenant_id, Unstorable()))
    assert event_rows() == []


def test_live_only_events_reach_the_bus_but_not_the_table(shop: Shop) -> None:
    live = heard()
    typing = TypingIndicated(shop.tenant_id, shop.number_id, 1, True)
    qr = QrUpdated(shop.tenant_id, shop.number_id, "2@secret-code", AT)
    with session_scope() as session:
        announce_after_commit(session, typing, qr)
    assert event_rows() == []
    assert live == [typing, qr]


def test_sequences_are_per_tenant(shop: Shop) -> None:
    other = make_shop("Beta")
    with session_scope() as session:
        announce_after_commit(
            session,
            MessageDelivered(other.tenant_id, 1, 1, 1, "delivered", AT),
            MessageDelivered(shop.tenant_id, 2, 2, 2, "delivered", AT),
            MessageDelivered(other.tenant_id, 3, 3, 3, "delivered", AT),
        )
    rows = [
        r
        for r in event_rows("MessageDelivered")
        if r.tenant_id in (shop.tenant_id, other.tenant_id)
    ]
    seqs: dict[int, list[int]] = {}
    for r in rows:
        seqs.setdefault(r.tenant_id, []).append(r.seq)
    # Each tenant counts on its own, one step per event (from wherever its counter stood).
    mine, theirs = sorted(seqs[shop.tenant_id]), sorted(seqs[other.tenant_id])
    assert len(mine) == 1 and len(theirs) == 2 and theirs[1] == theirs[0] + 1


def test_inbound_messages_and_their_events_share_the_batch_transaction(shop: Shop) -> None:
    result = ingest_batch(
        [inbound(shop.tenant_id, shop.number_id, i, contacts=2) for i in range(6)]
    )
    received = event_rows("MessageReceived")
    assert len(received) == 6 == len(result.outcome.stored)
    assert {r.payload["message_id"] for r in received} == {
        e.message_id for e in result.outcome.stored
    }
    assert all(isinstance(e, MessageReceived) for e in result.outcome.stored)
    # One per conversation: both are new, so each is an opening (see inbox/conversation_rows.py).
    assert len(event_rows("ConversationOpened")) == 2 and event_rows("ConversationUpdated") == []
    replay = ingest_batch(
        [inbound(shop.tenant_id, shop.number_id, i, contacts=2) for i in range(6)]
    )
    assert replay.outcome.stored == [] and len(event_rows("MessageReceived")) == 6


def test_the_bus_dispatches_the_specific_events_to_general_handlers(shop: Shop) -> None:
    general: list[object] = []
    current_graph().bus.subscribe(MessageStored, general.append)
    current_graph().bus.subscribe(ConversationUpdated, general.append)
    ingest_batch([inbound(shop.tenant_id, shop.number_id, 0, contacts=1)])
    ingest_batch([inbound(shop.tenant_id, shop.number_id, 1, contacts=1)])
    assert [type(e).__name__ for e in general] == [
        "MessageReceived",
        "ConversationOpened",  # a ConversationUpdated: its handlers hear it
        "MessageReceived",
        "ConversationUpdated",
    ]


def test_one_inbound_message_costs_a_constant_number_of_queries(
    shop: Shop, count_queries: QueryCounter
) -> None:
    """Whatever the conversation's history, and whatever the batch size, per batch."""
    ingest_batch([inbound(shop.tenant_id, shop.number_id, 0, contacts=1)])  # the contact exists
    costs = []
    for start, size in ((1, 1), (2, 1), (3, 200), (203, 1), (204, 50)):
        count_queries.statements.clear()
        batch = [
            inbound(shop.tenant_id, shop.number_id, start + i, contacts=1) for i in range(size)
        ]
        ingest_batch(batch)
        costs.append(count_queries.count())
    assert len(set(costs)) == 1, costs  # one message or 200: the same statements
    assert len(event_rows("MessageReceived")) == 254


@dataclass(frozen=True)
class _Bad:
    tenant_id: int
    value: object
