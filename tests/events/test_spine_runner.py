"""Durable subscribers: at least once, exactly once in effect, retries with backoff, parking,
order per conversation, independence between subscribers, and retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import Shop
from spine_helpers import event_rows, rows
from sqlmodel import Session

from whatsapp_saas.bootstrap import event_registry
from whatsapp_saas.db import announce_after_commit, session_scope
from whatsapp_saas.events import cli
from whatsapp_saas.events.retention import prune
from whatsapp_saas.events.runner import DurableRunner
from whatsapp_saas.events.subscriber import Delivery, Subscriber
from whatsapp_saas.inbox.events import MessageDelivered, MessageStatusChanged, MessageStored, stored

AT = datetime(2026, 12, 2, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Recorder:
    """A handler: records each call, writes one effect row per event through the session."""

    def __init__(self, fail_on: set[int] | None = None) -> None:
        self.calls: list[int] = []
        self.fail_on = fail_on or set()
        self.crash_once = False

    def __call__(self, session: Session, deliveries: list[Delivery]) -> None:
        for d in deliveries:
            self.calls.append(d.event.message_id)
            if self.crash_once:
                self.crash_once = False
                raise KeyboardInterrupt("the process dies mid-handler")
            if d.event.message_id in self.fail_on:
                raise RuntimeError(f"cannot handle message {d.event.message_id}")
            session.execute(
                sa.text("INSERT INTO spine_effects (event_id, message_id) VALUES (:e, :m)"),
                {"e": d.event_id, "m": d.event.message_id},
            )


@pytest.fixture
def effects(shop: Shop) -> Iterator[None]:
    with session_scope() as session:
        session.execute(sa.text("DROP TABLE IF EXISTS spine_effects"))
        session.execute(sa.text("CREATE TABLE spine_effects (event_id BIGINT, message_id INT)"))
    yield
    with session_scope() as session:
        session.execute(sa.text("DROP TABLE spine_effects"))


def effect_messages() -> list[int]:
    return [r.message_id for r in rows("SELECT message_id FROM spine_effects ORDER BY event_id")]


def status(shop: Shop, message_id: int, conversation_id: int) -> MessageDelivered:
    return MessageDelivered(shop.tenant_id, message_id, conversation_id, 1, "delivered", AT)


def announce(*events: object) -> None:
    with session_scope() as session:
        announce_after_commit(session, *events)


def runner(*subs: Subscriber, clock: Clock | None = None) -> DurableRunner:
    return DurableRunner(list(subs), event_registry(), clock=clock or Clock())


def test_every_event_once_in_order_and_nothing_twice(shop: Shop, effects: None) -> None:
    handler = Recorder()
    spine = runner(Subscriber("test.a", (MessageStatusChanged,), handler, batch_size=4))
    announce(*(status(shop, i, i % 3) for i in range(5)))
    announce(*(status(shop, i, i % 3) for i in range(5, 10)))
    assert spine.drain() > 0
    assert handler.calls == list(range(10)) and effect_messages() == list(range(10))
    assert spine.drain() == 0 and handler.calls == list(range(10))
    announce(status(shop, 10, 1))
    spine.drain()
    assert effect_messages() == list(range(11))


def test_a_crash_mid_handler_redelivers_and_the_effect_still_happens_once(
    shop: Shop, effects: None
) -> None:
    handler = Recorder()
    spine = runner(Subscriber("test.a", (MessageStatusChanged,), handler))
    announce(*(status(shop, i, 1) for i in range(3)))
    handler.crash_once = True
    with pytest.raises(KeyboardInterrupt):
        spine.drain()
    assert effect_messages() == []  # rolled back with the cursor
    spine.drain()
    assert handler.calls == [0, 0, 1, 2]  # at least once ...
    assert effect_messages() == [0, 1, 2]  # ... exactly once in effect


def test_subclasses_reach_a_subscriber_of_the_general_event(shop: Shop, effects: None) -> None:
    handler = Recorder()
    spine = runner(Subscriber("test.a", (MessageStored,), handler))
    fields = dict(tenant_id=shop.tenant_id, conversation_id=1, number_id=1, contact_id=1,
                  type="text", wa_message_id="W")  # fmt: skip
    announce(stored(message_id=1, direction="in", **fields), status(shop, 2, 1))
    announce(stored(message_id=3, direction="out", **fields))
    spine.drain()
    assert handler.calls == [1, 3]  # MessageReceived and MessageStored; not the status


def test_failures_retry_with_backoff_then_park_and_hold_their_conversation(
    shop: Shop, effects: None
) -> None:
    clock = Clock()
    handler = Recorder(fail_on={1})
    sub = Subscriber("test.a", (MessageStatusChanged,), handler, max_attempts=3, backoff=1.0)
    spine = runner(sub, clock=clock)
    announce(status(shop, 1, 10), status(shop, 2, 10), status(shop, 3, 20))
    spine.drain()
    assert effect_messages() == [3]  # another conversation goes on; 2 waits behind 1
    holds = rows("SELECT event_id, attempts, parked FROM event_holds ORDER BY event_id")
    assert [(h.attempts, bool(h.parked)) for h in holds] == [(1, False), (0, False)]
    spine.drain()
    assert handler.calls.count(1) == 2  # batch, then alone; not due again yet
    clock.advance(1.0)
    spine.drain()
    assert handler.calls.count(1) == 3
    clock.advance(1.5)  # the second delay is 2 s
    spine.drain()
    assert handler.calls.count(1) == 3
    clock.advance(0.5)
    spine.drain()
    assert handler.calls.count(1) == 4
    parked: Any
    (parked,) = cli_parked()
    assert parked.attempts == 3 and "cannot handle message 1" in parked.last_error
    with session_scope() as session:
        (state,) = cli.status(session, known=["test.a"])
    assert (state.lag, state.held, state.parked) == (0, 2, 1)
    clock.advance(3600)
    spine.drain()
    assert handler.calls.count(1) == 4 and effect_messages() == [3]  # parked stays parked
    handler.fail_on.clear()  # the bug is fixed; someone retries the parked event
    with session_scope() as session:
        assert cli.retry(session, name="test.a", event_id=parked.event_id)
    spine.drain()
    assert handler.calls[-2:] == [1, 2]  # 1, then the one that waited behind it
    assert effect_messages() == [1, 2, 3]
    assert rows("SELECT event_id FROM event_holds") == []


def cli_parked() -> list[object]:
    with session_scope() as session:
        return cli.parked(session, name="test.a")


def test_a_failing_subscriber_never_blocks_another(shop: Shop, effects: None) -> None:
    broken, healthy = Recorder(fail_on={0, 1, 2}), Recorder()
    spine = runner(
        Subscriber("test.broken", (MessageStatusChanged,), broken, max_attempts=1),
        Subscriber("test.healthy", (MessageStatusChanged,), healthy),
    )
    announce(*(status(shop, i, i) for i in range(3)))
    spine.drain()
    assert healthy.calls == [0, 1, 2]
    assert len(cli_parked_of("test.broken")) == 3


def cli_parked_of(name: str) -> list[object]:
    with session_scope() as session:
        return cli.parked(session, name=name)


def test_retention_prunes_only_what_every_subscriber_passed(shop: Shop, effects: None) -> None:
    fast, slow = Recorder(fail_on={2}), Recorder()
    a = Subscriber("test.a", (MessageStatusChanged,), fast, max_attempts=1)
    b = Subscriber("test.b", (MessageStatusChanged,), slow)
    announce(*(status(shop, i, i) for i in range(4)))
    runner(a, b).drain()
    announce(status(shop, 4, 4))
    runner(a).drain()  # b has not seen event 5 yet
    with session_scope() as session:
        assert prune(session, grace=timedelta(hours=1)) == 0  # inside the grace period
    with session_scope() as session:
        removed = prune(
            session, grace=timedelta(hours=1), now=datetime.now(UTC) + timedelta(hours=2)
        )
    left = [r.payload["message_id"] for r in event_rows()]
    assert removed == 3 and left == [2, 4]  # 2 is parked for a; b has not passed 4
    runner(b).drain()
    with session_scope() as session:
        prune(session, grace=timedelta(0), now=datetime.now(UTC) + timedelta(seconds=1))
    assert [r.payload["message_id"] for r in event_rows()] == [2]
