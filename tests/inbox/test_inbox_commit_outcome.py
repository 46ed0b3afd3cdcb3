"""``IngestPipeline.submit`` hands back each event's commit outcome (what inbound acks wait for)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest
from conftest import World
from inbox_helpers import inbound, messages, receipt, typing

from tests.conftest import current_graph
from whatsapp_saas.inbox import ingest_pipeline as pipeline_module
from whatsapp_saas.inbox.ingest import IngestResult, Persistable, ingest_batch
from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline
from whatsapp_saas.whatsapp import gateway as gw


async def test_outcomes_resolve_true_after_the_commit_and_a_batch_resolves_together(
    world: World,
) -> None:
    a = world.a
    pipeline = IngestPipeline(bus=current_graph().bus)
    seen_in_db: list[bool] = []
    events = [inbound(a.tenant_id, a.number_id, seconds=i) for i in range(20)]
    outcomes = [await pipeline.submit(e) for e in events]
    assert all(o is not None and not o.done() for o in outcomes), "submit never waits"
    first = outcomes[0]
    assert first is not None
    first.add_done_callback(lambda _: seen_in_db.append(len(messages()) == 20))
    assert await asyncio.gather(*(o for o in outcomes if o is not None)) == [True] * 20
    assert seen_in_db == [True], "resolved only once the rows were visible to others"
    assert pipeline.batches <= 2, "submitting without waiting keeps batching"
    await pipeline.stop()


async def test_duplicates_receipts_and_skipped_events_count_as_done(world: World) -> None:
    a = world.a
    pipeline = IngestPipeline(bus=current_graph().bus, wait_for_commit=True)
    event = inbound(a.tenant_id, a.number_id)
    group = inbound(a.tenant_id, a.number_id, is_group=True)  # never stored, on purpose
    ack = receipt(a.tenant_id, a.number_id, gw.ReceiptKind.READ, event.message.message_id)
    for item in (event, event, group, ack):
        outcome = await pipeline.submit(item)
        assert outcome is not None and outcome.result() is True
    assert await pipeline.submit(typing(a.tenant_id, a.number_id, "+5511988887777")) is None
    await pipeline.stop()


async def test_an_event_that_cannot_be_stored_resolves_false(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.a
    bad = inbound(a.tenant_id, a.number_id, text="poison")

    def ingest(events: Sequence[Persistable]) -> IngestResult:
        result = ingest_batch([e for e in events if e is not bad])
        result.failed.append(bad)
        return result

    monkeypatch.setattr(pipeline_module, "ingest_batch", ingest)
    pipeline = IngestPipeline(bus=current_graph().bus)
    good = await pipeline.submit(inbound(a.tenant_id, a.number_id, seconds=1))
    poison = await pipeline.submit(bad)
    assert good is not None and poison is not None
    assert (await good, await poison) == (True, False)
    await pipeline.stop()


async def test_events_waiting_for_the_database_resolve_after_the_retry_commits(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.a
    calls: list[int] = []

    def ingest(events: Sequence[Persistable]) -> IngestResult:
        calls.append(len(events))
        if len(calls) == 1:
            return IngestResult(retry=list(events))  # the database is away
        return ingest_batch(events)

    monkeypatch.setattr(pipeline_module, "ingest_batch", ingest)
    pipeline = IngestPipeline(bus=current_graph().bus, retry_cap=0.05)
    outcome = await pipeline.submit(inbound(a.tenant_id, a.number_id))
    assert outcome is not None
    assert await outcome is True and len(calls) == 2 and len(messages()) == 1
    await pipeline.stop()


async def test_stop_resolves_what_it_did_not_store_as_false(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = world.a
    entered, release = threading.Event(), threading.Event()

    def slow(events: Sequence[Persistable]) -> IngestResult:
        entered.set()
        release.wait(5)
        return IngestResult(retry=list(events))

    monkeypatch.setattr(pipeline_module, "ingest_batch", slow)
    pipeline = IngestPipeline(bus=current_graph().bus)
    held = await pipeline.submit(inbound(a.tenant_id, a.number_id))
    await asyncio.to_thread(entered.wait, 5)
    queued = await pipeline.submit(inbound(a.tenant_id, a.number_id, seconds=1))
    assert held is not None and queued is not None
    # stop() joins the ingest thread (blocking): let the held call return meanwhile.
    threading.Timer(0.5, release.set).start()
    await pipeline.stop(timeout=0.2)
    assert (held.result(), queued.result()) == (False, False)
