"""Deal events reach the open boards as ``DealsChanged`` live updates naming only ids, and the feed
keys tell each board which columns (or which contact's section) to reload."""

from __future__ import annotations

import asyncio

from tests.conftest import build_graph
from tests.deals.conftest import DealWorld
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.validation import DealValues
from whatsapp_saas.realtime.events import DealsChanged, RealtimeEvent
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.pipeline.contact_deals import _rows
from whatsapp_saas.ui.pipeline.live import apply_deal_events, changed_keys


async def _published(work) -> list[RealtimeEvent]:  # type: ignore[no-untyped-def]
    found: list[RealtimeEvent] = []
    channel = build_graph().realtime  # the live handlers now publish on this graph's channel

    async def listen() -> None:
        async for event in channel.subscribe():
            found.append(event)

    task = asyncio.create_task(listen())
    await asyncio.sleep(0.05)
    await asyncio.to_thread(work)
    for _ in range(100):
        if found:
            break
        await asyncio.sleep(0.02)
    task.cancel()
    return found


async def test_a_move_publishes_the_two_stages(deal_world: DealWorld) -> None:
    a = deal_world.a
    with session_scope() as s:
        made = deals.create_deal(
            TenantScope(s, a.w.tenant_id),
            actor=a.w.owner,
            values=DealValues("X", a.open_contact, a.stages[0]),
        )
    deal_id = int(made.id or 0)

    def move() -> None:
        with session_scope() as s:
            deals.move_deal(
                TenantScope(s, a.w.tenant_id),
                actor=a.w.owner,
                deal_id=deal_id,
                stage_id=a.stages[2],
            )

    [event] = [e for e in await _published(move) if isinstance(e, DealsChanged)]
    assert event.tenant_id == a.w.tenant_id
    assert event.stages == (a.stages[0], a.stages[2])
    assert not hasattr(event, "title")  # ids only: each board reads with its own rights


def test_feed_keys() -> None:
    class Feed:
        deals_tick = 4
        deals_changed: list[str] = []

    feed = Feed()
    apply_deal_events(
        feed,
        [
            DealsChanged(1, pipeline_id=1, stages=(3, 4), contact_id=7),
            DealsChanged(1, pipeline_id=2, structure=True),
        ],
    )
    assert feed.deals_tick == 5
    assert feed.deals_changed == ["3", "4", "c7", "p2"]
    assert changed_keys([]) == []


def test_contact_section_rows(deal_world: DealWorld) -> None:
    a = deal_world.a
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        deals.create_deal(
            scope, actor=a.w.owner, values=DealValues("Oculto", a.hidden_contact, a.stages[0], 990)
        )
    with session_scope() as s:
        rows, options = _rows(s, a.w.agent_in, a.hidden_contact, "pt-BR")
        hidden, _ = _rows(s, a.w.agent_out, a.hidden_contact, "pt-BR")
    assert [(r["title"], r["value"], r["stage"]) for r in rows] == [("Oculto", "R$ 9,90", "Novo")]
    assert options[0]["label"] == "Vendas · Novo" and len(options) == 5
    assert hidden == []
