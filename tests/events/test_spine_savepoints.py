"""Savepoints: SQLAlchemy fires before/after_commit when a savepoint is released, but nothing
is committed then. What a savepoint announces is stored once and reaches the live side only
when the outermost transaction commits; a savepoint that rolls back takes its events with it
(and those of the savepoints released inside it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import Shop
from spine_helpers import event_rows

from tests.conftest import current_graph
from whatsapp_saas.db import announce_after_commit, session_scope
from whatsapp_saas.inbox.events import MessageDelivered

AT = datetime(2026, 12, 2, 5, 30, 1, tzinfo=UTC)


def heard() -> list[object]:
    found: list[object] = []
    current_graph().bus.subscribe_batch(object, found.extend)
    return found


def delivered(shop: Shop, message_id: int) -> MessageDelivered:
    return MessageDelivered(shop.tenant_id, message_id, 1, shop.number_id, "delivered", AT)


def test_a_released_savepoint_announces_only_at_the_commit(shop: Shop) -> None:
    live = heard()
    first, second = delivered(shop, 1), delivered(shop, 2)
    with session_scope() as session:
        announce_after_commit(session, first)
        with session.begin_nested():
            announce_after_commit(session, second)
        assert live == []  # released, not committed: a worker would not find the rows yet
    assert live == [first, second]
    assert [r.seq for r in event_rows()] == [1, 2]  # stored once each


def test_a_savepoint_that_rolls_back_takes_its_events_with_it(shop: Shop) -> None:
    live = heard()
    kept, undone, inner, later = (delivered(shop, i) for i in range(1, 5))
    with session_scope() as session:
        announce_after_commit(session, kept)
        with pytest.raises(RuntimeError), session.begin_nested():
            announce_after_commit(session, undone)
            with session.begin_nested():
                announce_after_commit(session, inner)
            raise RuntimeError("this action failed")
        announce_after_commit(session, later)
    assert live == [kept, later]
    assert len(event_rows()) == 2
