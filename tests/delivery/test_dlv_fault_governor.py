"""Fault test: the governor holds across two worker processes under concurrent load.

One number, a configured rate of RATE sends per WINDOW seconds, many messages at once. The
times at which the recipients' phones got them (the simulator's clock) must never put more
than RATE messages in any WINDOW-long interval.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import current_graph
from tests.delivery.dlv_helpers import bulk_queue, make_conversations, make_tenant, random_phone
from tests.delivery.dlv_live import inboxes, link_numbers, wait_until
from tests.delivery.dlv_procs import (
    MANAGER_CMD,
    WORKER_CMD,
    Children,
    env_for,
    log_tail,
    status_counts,
)
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.service import set_number_limits, set_tenant_limits
from whatsapp_saas.delivery.worker import notifier
from whatsapp_saas.tenancy.scope import TenantScope

RATE, WINDOW, MESSAGES = 5, 1.0, 40


def most_in_any_window(times: list[datetime], window: float) -> int:
    """The largest number of arrivals inside any half-open interval [t, t + window)."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while (moment - ordered[start]).total_seconds() >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_the_window_counter_itself() -> None:
    base = datetime(2026, 1, 1)
    from datetime import timedelta

    times = [base + timedelta(seconds=s) for s in (0, 0.2, 0.5, 0.99, 1.0, 1.5)]
    assert most_in_any_window(times, 1.0) == 4
    assert most_in_any_window(times[:1], 1.0) == 1


@pytest.mark.slow
async def test_two_workers_never_exceed_a_numbers_rate(
    db: str, with_redis: str, sim_url: str, tmp_path: Path
) -> None:
    children = Children(tmp_path)
    # The manager as deployed: its own process, its send agent started by the delivery wiring.
    children.spawn(
        MANAGER_CMD,
        env_for(
            MANAGER_LEASE_TTL="5", MANAGER_RECONCILE_INTERVAL="0.3", MANAGER_SNAPSHOT_DEBOUNCE="0.3"
        ),
        "manager",
    )
    tenant_id = make_tenant()
    ((number_id, _),) = await link_numbers(sim_url, tenant_id, 1)
    with session_scope() as session:
        scope = TenantScope(session, tenant_id)
        set_number_limits(scope, number_id=number_id, rate_count=RATE, rate_window=WINDOW)
        set_tenant_limits(scope, per_minute=10_000, per_day=100_000)
    phones = [random_phone() for _ in range(MESSAGES)]
    threads = await asyncio.to_thread(make_conversations, tenant_id, number_id, phones)
    env = env_for(
        REDIS_URL=with_redis,
        DELIVERY_GOVERNOR_ENABLED="true",
        DELIVERY_HOLD_MAX="0.5",
        DELIVERY_SWEEP_INTERVAL="0.2",
        DELIVERY_LOST_AFTER="3",
        DELIVERY_BATCH_WAIT="0.001",
    )
    stream = notifier.StreamNotifier(with_redis)
    detach_waker = notifier.attach(current_graph().bus, stream)
    try:
        for _ in range(2):
            children.spawn(WORKER_CMD, env, "worker")
        await asyncio.sleep(4)  # both workers up, so both compete for the same number
        ids = await asyncio.to_thread(
            bulk_queue, tenant_id, [(t, number_id, "hi") for t in threads]
        )
        expected = MESSAGES / RATE * WINDOW
        await wait_until(lambda: status_counts(ids)["sent"] == MESSAGES, expected + 30, "sent")
        received = await inboxes(sim_url, phones)
    except BaseException:
        print(log_tail(tmp_path))
        raise
    finally:
        detach_waker()
        await asyncio.to_thread(stream.close)
        children.stop_all()

    times = [datetime.fromisoformat(box["messages"][0]["timestamp"]) for box in received.values()]
    busiest = most_in_any_window(times, WINDOW)
    span = (max(times) - min(times)).total_seconds()
    print(
        f"\ngovernor: {MESSAGES} sends by 2 workers at {RATE} per {WINDOW:.0f} s: busiest"
        f" {WINDOW:.0f} s window on the phones held {busiest}; all arrived over {span:.1f} s"
    )
    assert len(times) == MESSAGES
    assert busiest <= RATE
    assert span >= (MESSAGES / RATE - 1) * WINDOW, "the governor really spaced them out"
