"""The pipeline: installed as the inbound sink, batches when busy, hooks run after commit."""

from __future__ import annotations

import asyncio

import pytest
from conftest import Recorder, World
from inbox_helpers import inbound, messages, typing

from tests.conftest import build_graph, current_graph
from whatsapp_saas.bootstrap import Role
from whatsapp_saas.inbox.events import MessageStored, TypingIndicated
from whatsapp_saas.inbox.hooks import InboxHooks
from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline


async def test_hooks_run_after_commit_and_a_failing_hook_breaks_nothing(
    world: World, recorder: Recorder
) -> None:
    a = world.a
    seen_in_db: list[bool] = []

    async def broken(event: MessageStored) -> None:
        raise RuntimeError("automation bug")

    async def automation(event: MessageStored) -> None:
        # Runs after commit: a separate connection already sees the row.
        rows = await asyncio.to_thread(messages, id=event.message_id)
        seen_in_db.append(len(rows) == 1)

    pipeline = IngestPipeline(bus=current_graph().bus)
    pipeline.hooks.register(broken)
    pipeline.hooks.register(automation)
    for i in range(3):
        await pipeline.submit(inbound(a.tenant_id, a.number_id, seconds=i))
    await pipeline.flush()
    assert seen_in_db == [True, True, True]
    assert len(messages()) == 3 and pipeline.stored == 3
    assert len(recorder.of(MessageStored)) == 3
    await pipeline.stop()


async def test_replays_through_the_pipeline_do_not_reach_hooks(world: World) -> None:
    a = world.a
    calls: list[int] = []

    async def automation(event: MessageStored) -> None:
        calls.append(event.message_id)

    pipeline = IngestPipeline(bus=current_graph().bus, wait_for_commit=True)
    pipeline.hooks.register(automation)
    event = inbound(a.tenant_id, a.number_id)
    for _ in range(3):
        await pipeline.submit(event)
    await pipeline.flush()
    assert len(calls) == 1 and pipeline.duplicates == 2
    await pipeline.stop()


async def test_busy_pipeline_batches(world: World) -> None:
    a = world.a
    pipeline = IngestPipeline(bus=current_graph().bus, max_batch=100)
    events = [
        inbound(a.tenant_id, a.number_id, phone=f"+55119444400{i % 10:02d}", seconds=i)
        for i in range(250)
    ]
    await asyncio.gather(*(pipeline.submit(e) for e in events))
    await pipeline.flush()
    assert pipeline.stored == 250 and len(messages()) == 250
    assert pipeline.batches < 10  # stored as they piled up, not one transaction each
    await pipeline.stop()


async def test_typing_becomes_a_transient_event(world: World, recorder: Recorder) -> None:
    a = world.a
    pipeline = IngestPipeline(bus=current_graph().bus)
    await pipeline.submit(typing(a.tenant_id, a.number_id, "+5511988887777"))
    assert recorder.of(TypingIndicated) == []  # no conversation yet: nothing to show
    await pipeline.submit(inbound(a.tenant_id, a.number_id))
    await pipeline.flush()
    await pipeline.submit(typing(a.tenant_id, a.number_id, "+5511988887777"))
    [signal] = recorder.of(TypingIndicated)
    assert signal.typing and signal.tenant_id == a.tenant_id
    assert len(messages()) == 1
    await pipeline.stop()


async def test_the_graph_makes_the_pipeline_the_nodes_inbound_sink(world: World) -> None:
    a = world.a
    graph = build_graph(role=Role.MANAGER)
    assert graph.ingest is not None and graph.manager is not None
    assert graph.manager.sink == graph.ingest.submit
    await graph.manager.sink(inbound(a.tenant_id, a.number_id))
    await graph.ingest.flush()
    assert len(messages()) == 1
    await graph.ingest.stop()


async def test_events_wait_while_the_database_is_away(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whatsapp_saas.inbox import ingest_pipeline as pipeline_module
    from whatsapp_saas.inbox.ingest import IngestResult, ingest_batch

    a = world.a
    outages = [2]

    def flaky(events: list) -> IngestResult:  # type: ignore[type-arg]
        if outages[0]:
            outages[0] -= 1
            return IngestResult(retry=list(events))  # what ingest_batch says when PG is down
        return ingest_batch(events)

    monkeypatch.setattr(pipeline_module, "ingest_batch", flaky)
    pipeline = IngestPipeline(bus=current_graph().bus, retry_cap=0.05)
    await pipeline.submit(inbound(a.tenant_id, a.number_id))
    await pipeline.flush()
    assert len(messages()) == 1 and outages == [0] and pipeline.batches == 3
    await pipeline.stop()


def test_batch_hooks_get_each_committed_batch_once() -> None:
    import asyncio

    from whatsapp_saas.inbox.events import MessageStored

    seen: list[int] = []

    async def batch_hook(events) -> None:  # type: ignore[no-untyped-def]
        seen.append(len(events))

    async def broken(events) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    hooks = InboxHooks()
    hooks.register_batch(broken)
    hooks.register_batch(batch_hook)
    events = [MessageStored(1, i, 1, 1, 1, "in", "text", f"W{i}") for i in range(3)]
    asyncio.run(hooks.run(events))
    asyncio.run(hooks.run([]))
    assert seen == [3]
