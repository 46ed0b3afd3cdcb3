"""Claiming: queued -> sending exactly once, in conversation order, never while held."""

from __future__ import annotations

import threading
from datetime import timedelta

from tests.delivery.conftest import Shop
from tests.delivery.dlv_helpers import make_conversations, queue, random_phone, statuses
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.claim.claims import Claimed, claim_batch
from whatsapp_saas.delivery.record.outcomes import upsert_state
from whatsapp_saas.delivery.sweep.queries import next_heads
from whatsapp_saas.models_base import utcnow


def claim(ids: list[int]) -> list[Claimed]:
    with session_scope() as session:
        return claim_batch(session, message_ids=ids, now=utcnow())


def test_claim_moves_queued_to_sending_once(shop: Shop) -> None:
    ids = queue(shop.tenant_id, [(c, f"hello {i}") for i, c in enumerate(shop.conversations)])

    first = claim(ids)

    assert sorted(c.ref.message_id for c in first) == sorted(ids)
    assert all(c.job is not None and c.job.to.endswith("@s.whatsapp.net") for c in first)
    assert {c.job.text for c in first if c.job} == {f"hello {i}" for i in range(len(ids))}
    assert set(statuses(ids).values()) == {"sending"}
    assert claim(ids) == [], "a claimed message is nobody else's"


def test_claim_is_exclusive_under_concurrency(pg_shop: Shop) -> None:
    phones = [random_phone() for _ in range(150)]
    threads = make_conversations(pg_shop.tenant_id, pg_shop.number_id, phones)
    ids = queue(pg_shop.tenant_id, [(c, "x") for c in threads])
    barrier = threading.Barrier(8)
    won: list[list[int]] = []
    lock = threading.Lock()

    def claimer() -> None:
        barrier.wait()
        mine = [c.ref.message_id for c in claim(ids)]
        with lock:
            won.append(mine)

    workers = [threading.Thread(target=claimer) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    flat = [i for mine in won for i in mine]
    assert sorted(flat) == sorted(ids), "every message claimed exactly once"


def test_a_conversation_goes_out_in_order(shop: Shop) -> None:
    thread = shop.conversations[0]
    first, second, third = queue(shop.tenant_id, [(thread, "1"), (thread, "2"), (thread, "3")])

    assert [c.ref.message_id for c in claim([third, second, first])] == [first]
    with session_scope() as session:
        assert next_heads(session, conversation_ids=[thread]) == [], "the head is still in flight"
        from whatsapp_saas.delivery.claim.claims import MESSAGES

        session.execute(MESSAGES.update().where(MESSAGES.c.id == first).values(status="sent"))
        assert next_heads(session, conversation_ids=[thread]) == [second]
    assert [c.ref.message_id for c in claim([second, third])] == [second]


def test_a_held_message_waits_for_its_time(shop: Shop) -> None:
    (message_id,) = queue(shop.tenant_id, [(shop.conversations[0], "later")])
    claimed = claim([message_id])
    with session_scope() as session:
        from whatsapp_saas.delivery.record.outcomes import record_held

        later = utcnow() + timedelta(seconds=30)
        assert record_held(session, ref=claimed[0].ref, until=later, why="rate", now=utcnow())

    assert statuses([message_id])[message_id] == "queued"
    assert claim([message_id]) == []
    with session_scope() as session:
        upsert_state(session, ref=claimed[0].ref, now=utcnow(), next_attempt_at=utcnow())
    assert len(claim([message_id])) == 1


def test_internal_notes_and_inbound_are_never_claimed(shop: Shop) -> None:
    (message_id,) = queue(shop.tenant_id, [(shop.conversations[0], "x")])
    from tests.delivery.dlv_helpers import set_columns

    set_columns([message_id], is_internal_note=True)
    assert claim([message_id]) == []
