"""The send path on a fake transport: sent, transient retries with backoff, permanent failures
and the attendant's Retry, the sweeper (dead worker, lost wake-up)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.conftest import current_graph
from tests.delivery.conftest import Shop, fast
from tests.delivery.dlv_helpers import FakeTransport, queue, rows, set_columns, state, statuses
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.common import reasons
from whatsapp_saas.delivery.common.jobs import SendOutcome
from whatsapp_saas.delivery.common.settings import DeliverySettings
from whatsapp_saas.delivery.govern.governor import Governor
from whatsapp_saas.delivery.sweep.sweeper import Sweeper
from whatsapp_saas.delivery.worker.send_pipeline import Pipeline
from whatsapp_saas.inbox.events import MessageStatusChanged
from whatsapp_saas.inbox.status import retry_failed
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope


def manager(tenant_id: int) -> CurrentUser:
    """A signed-in owner of ``tenant_id`` (owners see every conversation)."""
    return CurrentUser(0, tenant_id, "Acme", "Owner", "owner@acme.io", "owner", "en", "UTC")


def pipeline(transport: FakeTransport, settings: DeliverySettings | None = None) -> Pipeline:
    settings = settings or fast()
    return Pipeline(settings, transport, Governor(settings, None))


def transient(message_id: int) -> SendOutcome:
    return SendOutcome.failed(message_id, True, reasons.NUMBER_OFFLINE, "node down")


async def test_sends_and_records_sent(shop: Shop, transport: FakeTransport) -> None:
    heard: list[MessageStatusChanged] = []
    current_graph().bus.subscribe(MessageStatusChanged, heard.append)
    ids = queue(shop.tenant_id, [(c, "hi") for c in shop.conversations])
    pipe = pipeline(transport)

    await asyncio.gather(*(pipe.submit(i) for i in ids))

    assert set(statuses(ids).values()) == {"sent"}
    assert sorted(transport.ids()) == sorted(ids)
    assert {(e.message_id, e.status) for e in heard} == {(i, "sent") for i in ids}
    assert all(m.sent_at is not None for m in rows(ids).values())
    await pipe.close()


async def test_a_thread_is_sent_in_order_by_chaining(shop: Shop, transport: FakeTransport) -> None:
    ids = queue(shop.tenant_id, [(shop.conversations[0], str(n)) for n in range(5)])
    pipe = pipeline(transport)

    await pipe.submit(ids[0])  # one wake-up: the rest follow as each one finishes
    for _ in range(100):
        if len(transport.sent) == 5:
            break
        await asyncio.sleep(0.02)

    assert transport.ids() == ids
    await pipe.close()


async def test_transient_failures_back_off_then_send(shop: Shop, transport: FakeTransport) -> None:
    (message_id,) = queue(shop.tenant_id, [(shop.conversations[0], "x")])
    transport.script[message_id] = [transient(message_id), transient(message_id)]
    pipe = pipeline(transport, fast(backoff_base=2.0, backoff_cap=3.0))

    before = utcnow()
    await pipe.process([message_id])
    first = state(message_id)
    assert statuses([message_id])[message_id] == "queued"
    assert first is not None and first.attempts == 1 and first.next_attempt_at is not None
    delay = (as_utc(first.next_attempt_at) - before).total_seconds()
    assert 1.0 <= delay <= 2.0 + 1.0, "base * 2**0, with jitter"
    assert (await pipe.process([message_id])).sent == 0, "held until its due time"

    _make_due(message_id)
    before = utcnow()
    await pipe.process([message_id])
    second = state(message_id)
    assert second is not None and second.attempts == 2 and second.next_attempt_at is not None
    delay = (as_utc(second.next_attempt_at) - before).total_seconds()
    assert 1.5 <= delay <= 3.0 + 1.0, "base * 2**1 = 4, capped at 3, with jitter"

    _make_due(message_id)
    await pipe.process([message_id])
    assert statuses([message_id])[message_id] == "sent"
    assert state(message_id) is None, "retry state is dropped once sent"
    await pipe.close()


def _make_due(message_id: int) -> None:
    from whatsapp_saas.delivery.claim.claims import STATES

    with session_scope() as session:
        session.execute(
            STATES.update()
            .where(STATES.c.message_id == message_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


async def test_gives_up_after_max_attempts(shop: Shop, transport: FakeTransport) -> None:
    (message_id,) = queue(shop.tenant_id, [(shop.conversations[0], "x")])
    transport.script[message_id] = [transient(message_id) for _ in range(10)]
    pipe = pipeline(transport, fast(max_attempts=3, backoff_base=0.01, backoff_cap=0.01))

    for _ in range(3):
        await pipe.process([message_id])
        await asyncio.sleep(0.03)

    row = rows([message_id])[message_id]
    assert row.status == "failed" and row.failure_reason == reasons.NUMBER_OFFLINE
    await pipe.close()


async def test_permanent_failure_then_attendant_retry(shop: Shop, transport: FakeTransport) -> None:
    (message_id,) = queue(shop.tenant_id, [(shop.conversations[0], "x")])
    wa_id = rows([message_id])[message_id].wa_message_id
    transport.script[message_id] = [
        SendOutcome.failed(message_id, False, reasons.INVALID_RECIPIENT, "no such account")
    ]
    pipe = pipeline(transport)

    await pipe.process([message_id])
    failed = rows([message_id])[message_id]
    assert (failed.status, failed.failure_reason) == ("failed", reasons.INVALID_RECIPIENT)

    with session_scope() as session:
        retry_failed(
            TenantScope(session, shop.tenant_id),
            actor=manager(shop.tenant_id),
            message_id=message_id,
        )
    again = rows([message_id])[message_id]
    assert (again.status, again.failure_reason) == ("queued", None)

    await pipe.process([message_id])
    sent = rows([message_id])[message_id]
    assert sent.status == "sent" and sent.wa_message_id == wa_id, "same WhatsApp id"
    await pipe.close()


async def test_retry_of_another_tenants_message_is_not_found(shop: Shop) -> None:
    from tests.delivery.dlv_helpers import make_tenant
    from whatsapp_saas.tenancy.scope import NotFound

    (message_id,) = queue(shop.tenant_id, [(shop.conversations[0], "x")])
    set_columns([message_id], status="failed")
    other = make_tenant("Other")
    with session_scope() as session, pytest.raises(NotFound):
        retry_failed(TenantScope(session, other), actor=manager(other), message_id=message_id)


async def test_inbox_retry_starts_a_fresh_attempt_count(
    shop: Shop, transport: FakeTransport
) -> None:
    """The inbox's own Retry (with its access checks) re-queues with a new queued_at: our
    attempt count starts again instead of failing at once."""
    (message_id,) = queue(shop.tenant_id, [(shop.conversations[0], "x")])
    transport.script[message_id] = [transient(message_id) for _ in range(3)]
    pipe = pipeline(transport, fast(max_attempts=3, backoff_base=0.01, backoff_cap=0.01))
    for _ in range(3):
        await pipe.process([message_id])
        await asyncio.sleep(0.03)
    assert statuses([message_id])[message_id] == "failed"

    with session_scope() as session:
        scope = TenantScope(session, shop.tenant_id)
        retry_failed(scope, actor=manager(shop.tenant_id), message_id=message_id)
    transport.script[message_id] = [transient(message_id)]
    await pipe.process([message_id])
    assert statuses([message_id])[message_id] == "queued"
    retry_state = state(message_id)
    assert retry_state is not None and retry_state.attempts == 1
    await pipe.close()


async def test_sweeper_takes_back_a_dead_workers_claim(
    shop: Shop, transport: FakeTransport
) -> None:
    ids = queue(shop.tenant_id, [(c, "x") for c in shop.conversations[:2]])
    with session_scope() as session:
        from whatsapp_saas.delivery.claim.claims import claim_batch

        claim_batch(
            session, message_ids=ids, now=utcnow() - timedelta(seconds=60)
        )  # then the worker died
    dispatched: list[int] = []

    async def dispatch(found: list[int]) -> None:
        dispatched.extend(found)

    sweeper = Sweeper(fast(), dispatch, unknown_outcome="retry")
    await sweeper.sweep_once()

    assert sorted(dispatched) == sorted(ids)
    assert set(statuses(ids).values()) == {"queued"}
    await pipeline(transport).process(ids)
    assert set(statuses(ids).values()) == {"sent"}


async def test_sweeper_fails_unknown_outcomes_when_ids_are_not_fixed(shop: Shop) -> None:
    (message_id,) = queue(shop.tenant_id, [(shop.conversations[0], "x")])
    with session_scope() as session:
        from whatsapp_saas.delivery.claim.claims import claim_batch

        claim_batch(session, message_ids=[message_id], now=utcnow() - timedelta(seconds=60))

    async def dispatch(found: list[int]) -> None:
        raise AssertionError("nothing to dispatch")

    await Sweeper(fast(), dispatch, unknown_outcome="fail").sweep_once()

    row = rows([message_id])[message_id]
    assert (row.status, row.failure_reason) == ("failed", reasons.OUTCOME_UNKNOWN)


async def test_sweeper_rewakes_lost_and_due_messages(shop: Shop) -> None:
    _fresh, lost = queue(shop.tenant_id, [(c, "x") for c in shop.conversations[:2]])
    set_columns([lost], queued_at=utcnow() - timedelta(seconds=30))
    dispatched: list[int] = []

    async def dispatch(found: list[int]) -> None:
        dispatched.extend(found)

    sweeper = Sweeper(fast(lost_after=5.0), dispatch, unknown_outcome="retry")
    await sweeper.sweep_once()
    assert dispatched == [lost], "a fresh message's wake-up is presumed on its way"

    await sweeper.sweep_once()
    assert dispatched == [lost], "woken again only after lost_after"


async def test_sweeper_wakes_one_held_bulk_message_per_number_at_a_time(shop: Shop) -> None:
    """Waking a governed number's whole backlog would only get each one claimed and held
    again: while one bulk message is held in the future, the others wait their turn."""
    from whatsapp_saas.delivery.claim.claims import claim_batch
    from whatsapp_saas.delivery.record.outcomes import record_held
    from whatsapp_saas.inbox.models import SentBy

    ids = queue(shop.tenant_id, [(c, "promo") for c in shop.conversations], SentBy.CAMPAIGN)
    with session_scope() as session:
        claimed = claim_batch(session, message_ids=ids, now=utcnow())
        for index, item in enumerate(claimed):  # all held; the first one longest
            until = utcnow() + timedelta(seconds=30 if index == 0 else -1)
            record_held(session, ref=item.ref, until=until, why="gap", now=utcnow())
    dispatched: list[int] = []

    async def dispatch(found: list[int]) -> None:
        dispatched.extend(found)

    sweeper = Sweeper(fast(governor_enabled=True), dispatch, unknown_outcome="retry")
    await sweeper.sweep_once()
    assert dispatched == [], "one is held in the future: the number is being spaced out"

    set_columns([ids[0]], status="sent")
    await sweeper.sweep_once()
    assert len(dispatched) == 1 and dispatched[0] in ids[1:], "then one at a time"
