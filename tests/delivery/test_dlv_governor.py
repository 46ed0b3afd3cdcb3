"""The governor: rate windows on both limiters, bulk spacing, quiet hours vs live replies,
daily caps, warm-up, tenant quotas."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

import pytest

from tests.delivery.conftest import Shop, fast
from tests.delivery.dlv_helpers import (
    FakeTransport,
    make_number,
    make_tenant,
    queue,
    rows,
    state,
    statuses,
)
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.common.settings import DeliverySettings
from whatsapp_saas.delivery.govern.admission import Admission, Limiter
from whatsapp_saas.delivery.govern.db_limiter import DbLimiter
from whatsapp_saas.delivery.govern.governor import Governor
from whatsapp_saas.delivery.govern.policy import Limits, local_day, quiet_until, warmup_cap
from whatsapp_saas.delivery.govern.redis_limiter import RedisLimiter
from whatsapp_saas.delivery.send.agent import redis_client
from whatsapp_saas.delivery.service import effective_limits, set_number_limits, set_tenant_limits
from whatsapp_saas.delivery.worker.send_pipeline import Pipeline
from whatsapp_saas.inbox.models import SentBy
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope

# --- pure rules -----------------------------------------------------------------------------


def test_quiet_hours_wrap_midnight() -> None:
    window = (clock(21, 0), clock(8, 0))
    tz = "America/Sao_Paulo"  # UTC-3
    late = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)  # 22:30 local
    assert quiet_until(late, tz, window) == datetime(2026, 11, 29, 11, 0, tzinfo=UTC)
    early = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)  # 06:00 local
    assert quiet_until(early, tz, window) == datetime(2026, 11, 29, 11, 0, tzinfo=UTC)
    noon = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    assert quiet_until(noon, tz, window) is None
    assert quiet_until(late, tz, None) is None


def test_local_day_follows_the_tenant_timezone() -> None:
    start, end = local_day(datetime(2026, 11, 29, 2, 0, tzinfo=UTC), "America/Sao_Paulo")
    assert start == datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def test_warmup_ramps_linearly_to_the_full_cap() -> None:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    assert warmup_cap(500, 40, 10, now, now) == 40
    assert warmup_cap(500, 40, 10, now - timedelta(days=5), now) == 270
    assert warmup_cap(500, 40, 10, now - timedelta(days=11), now) == 500
    assert warmup_cap(500, 40, 10, None, now) == 500, "never linked: nothing to ramp"


# --- limiters (same rules, Redis and database) ----------------------------------------------


def limits(**overrides: Any) -> Limits:
    values: dict[str, Any] = dict(
        rate_count=3, rate_window=1.0, bulk_share=1.0, bulk_gap=0.0, bulk_jitter=0.0,
        daily_cap=0, tenant_per_minute=0, tenant_per_day=0, quiet=None, timezone="UTC",
    )  # fmt: skip
    values.update(overrides)
    return Limits(**values)


def admission(message_id: int, lim: Limits, bulk: bool = False, gap: float = 0.0) -> Admission:
    start, end = local_day(utcnow(), "UTC")
    return Admission(1, 1, message_id, f"{message_id}:a", bulk, lim, gap, start, end)


@pytest.fixture(params=["redis", "postgres", "sqlite"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[Limiter]:
    if request.param != "redis":
        request.getfixturevalue("db" if request.param == "postgres" else "sqlite_db")
        assert make_tenant() == 1, "the admissions below name tenant 1"
        yield DbLimiter()
        return
    url = request.getfixturevalue("dlv_redis")
    client = redis_client(url)
    yield RedisLimiter(client)
    await client.aclose()


async def test_rate_window_holds_and_frees(limiter: Limiter) -> None:
    lim = limits(rate_count=3, rate_window=1.0)
    verdicts = await limiter.admit_many([admission(i, lim) for i in range(1, 5)], inflight=5.0)
    assert [v.ok for v in verdicts] == [True, True, True, False]
    assert verdicts[3].why == "rate" and 0.99 <= verdicts[3].wait <= 1.01, "as if done now"

    await limiter.done([(admission(i, lim), v.ticket) for i, v in enumerate(verdicts[:3], 1)])
    (again,) = await limiter.admit_many([admission(4, lim)], inflight=5.0)
    assert not again.ok and 0 < again.wait <= 1.01, "finished sends free their slot a window on"
    await asyncio.sleep(again.wait + 0.02)
    (later,) = await limiter.admit_many([admission(4, lim)], inflight=5.0)
    assert later.ok


async def test_bulk_is_spaced_and_capped(limiter: Limiter) -> None:
    lim = limits(rate_count=10, daily_cap=3)
    (first,) = await limiter.admit_many([admission(1, lim, bulk=True, gap=0.3)], inflight=1.0)
    (second,) = await limiter.admit_many([admission(2, lim, bulk=True, gap=0.3)], inflight=1.0)
    assert first.ok and not second.ok and second.why == "gap" and 0.2 < second.wait <= 0.31
    (live,) = await limiter.admit_many([admission(3, lim)], inflight=1.0)
    assert live.ok, "a live reply does not wait for the bulk gap"
    await asyncio.sleep(0.32)
    (second,) = await limiter.admit_many([admission(2, lim, bulk=True)], inflight=1.0)
    assert second.ok
    (third,) = await limiter.admit_many([admission(4, lim, bulk=True)], inflight=1.0)
    assert not third.ok and third.why == "daily_cap", "1 bulk + 1 live + 1 bulk: cap of 3 hit"


async def test_bulk_leaves_room_for_live_replies(limiter: Limiter) -> None:
    lim = limits(rate_count=4, bulk_share=0.5)
    bulk = await limiter.admit_many([admission(i, lim, bulk=True) for i in (1, 2, 3)], inflight=5.0)
    assert [v.ok for v in bulk] == [True, True, False]
    live = await limiter.admit_many([admission(i, lim) for i in (4, 5, 6)], inflight=5.0)
    assert [v.ok for v in live] == [True, True, False]


async def test_tenant_quota_per_minute(limiter: Limiter) -> None:
    lim = limits(rate_count=100, tenant_per_minute=2)
    verdicts = await limiter.admit_many([admission(i, lim) for i in (1, 2, 3)], inflight=1.0)
    assert [v.ok for v in verdicts] == [True, True, False]
    assert verdicts[2].why == "tenant_minute"


# --- through the pipeline -------------------------------------------------------------------


def governed(**overrides: Any) -> DeliverySettings:
    values: dict[str, Any] = {"bulk_gap": 0.0, "bulk_jitter": 0.0, "hold_max": 0.2, **overrides}
    return fast(governor_enabled=True, **values)


async def run(shop_ids: list[int], transport: FakeTransport, settings: DeliverySettings) -> None:
    pipe = Pipeline(settings, transport, Governor(settings, DbLimiter()))
    await pipe.process(shop_ids)
    await pipe.close()


async def test_quiet_hours_hold_campaigns_not_live_replies(
    shop: Shop, transport: FakeTransport
) -> None:
    now_local = utcnow().astimezone(__import__("zoneinfo").ZoneInfo("America/Sao_Paulo"))
    start = (now_local - timedelta(hours=1)).strftime("%H:%M")
    end = (now_local + timedelta(hours=1)).strftime("%H:%M")
    with session_scope() as session:
        set_tenant_limits(TenantScope(session, shop.tenant_id), quiet_start=start, quiet_end=end)
    one, two, three, four = shop.conversations
    campaign = queue(shop.tenant_id, [(one, "promo")], SentBy.CAMPAIGN)
    scheduled = queue(shop.tenant_id, [(two, "reminder")], SentBy.SCHEDULE)
    live = queue(shop.tenant_id, [(three, "reply")], SentBy.AGENT)
    ai = queue(shop.tenant_id, [(four, "bot")], SentBy.AI)

    await run(campaign + scheduled + live + ai, transport, governed())

    assert sorted(transport.ids()) == sorted(live + ai)
    assert statuses(campaign + scheduled) == {campaign[0]: "queued", scheduled[0]: "queued"}
    held = state(campaign[0])
    assert held is not None and held.last_error == "quiet_hours"
    assert held.next_attempt_at is not None
    wait = (as_utc(held.next_attempt_at) - utcnow()).total_seconds()
    assert 3300 < wait <= 3660, "held until the quiet window ends"


async def test_daily_cap_holds_bulk_until_tomorrow(shop: Shop, transport: FakeTransport) -> None:
    with session_scope() as session:
        set_number_limits(
            TenantScope(session, shop.tenant_id), number_id=shop.number_id, daily_cap=2
        )
    one, two, three, four = shop.conversations
    bulk = queue(shop.tenant_id, [(one, "a"), (two, "b"), (three, "c")], SentBy.SCHEDULE)
    live = queue(shop.tenant_id, [(four, "live")], SentBy.AGENT)

    await run(bulk + live, transport, governed())

    assert sorted(transport.ids()) == sorted(bulk[:2] + live)
    held = state(bulk[2])
    assert held is not None and held.last_error == "daily_cap" and held.next_attempt_at
    _, day_end = local_day(utcnow(), "America/Sao_Paulo")
    assert as_utc(held.next_attempt_at) == day_end


async def test_a_new_number_warms_up(shop: Shop, transport: FakeTransport) -> None:
    new_number = make_number(shop.tenant_id, linked_days_ago=0.01)
    with session_scope() as session:
        scope = TenantScope(session, shop.tenant_id)
        set_number_limits(
            scope, number_id=new_number, daily_cap=100, warmup_start_cap=2, warmup_days=10
        )
        set_number_limits(scope, number_id=shop.number_id, daily_cap=100, warmup_start_cap=2)
    from tests.delivery.dlv_helpers import make_conversations, random_phone

    fresh_threads = make_conversations(
        shop.tenant_id, new_number, [random_phone() for _ in range(3)]
    )
    fresh = queue(shop.tenant_id, [(c, "hi") for c in fresh_threads], SentBy.CAMPAIGN)
    seasoned = queue(shop.tenant_id, [(c, "hi") for c in shop.conversations[:3]], SentBy.CAMPAIGN)

    await run(fresh + seasoned, transport, governed())

    assert sorted(transport.ids()) == sorted(fresh[:2] + seasoned)
    assert statuses([fresh[2]])[fresh[2]] == "queued"
    with session_scope() as session:
        today = effective_limits(TenantScope(session, shop.tenant_id), number_id=new_number)
    assert today.daily_cap == 2


async def test_short_waits_are_served_in_the_worker(shop: Shop, transport: FakeTransport) -> None:
    with session_scope() as session:
        set_number_limits(
            TenantScope(session, shop.tenant_id),
            number_id=shop.number_id,
            rate_count=2,
            rate_window=0.3,
        )
    ids = queue(shop.tenant_id, [(c, "x") for c in shop.conversations[:3]])
    started = time.monotonic()

    await run(ids, transport, governed(hold_max=0.5))

    assert sorted(transport.ids()) == sorted(ids), "the third waited ~0.3 s in the worker"
    assert time.monotonic() - started >= 0.25
    assert rows(ids)[ids[2]].status == "sent"
