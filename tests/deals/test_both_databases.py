"""The deal lifecycle and a column's keyset paging on PostgreSQL and SQLite alike."""

from __future__ import annotations

from datetime import timedelta

from tests.deals.conftest import DealWorld
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import board
from whatsapp_saas.deals import service as deals
from whatsapp_saas.deals.models import Deal
from whatsapp_saas.deals.validation import DealValues
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope


def test_create_move_and_page_a_column(any_deal_world: DealWorld) -> None:
    a = any_deal_world.a
    start = utcnow() - timedelta(days=3)
    with session_scope() as s:
        s.add_all(
            Deal(
                tenant_id=a.w.tenant_id,
                pipeline_id=a.pipeline_id,
                stage_id=a.stages[0],
                contact_id=a.open_contact,
                title=f"Deal {i}",
                value_cents=100,
                stage_entered_at=start + timedelta(minutes=i // 3),
            )
            for i in range(45)
        )
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        made = deals.create_deal(
            scope, actor=a.w.agent_out, values=DealValues("Novo", a.open_contact, a.stages[0], 250)
        )
        deals.move_deal(scope, actor=a.w.agent_out, deal_id=int(made.id or 0), stage_id=a.stages[1])
        seen, cursor = [], ""
        while True:
            cards, cursor = board.column_page(
                scope, actor=a.w.owner, stage_id=a.stages[0], after=cursor, limit=10
            )
            seen += [c.deal_id for c in cards]
            if not cursor:
                break
        totals = board.column_totals(scope, actor=a.w.owner, pipeline_id=a.pipeline_id)
        history = deals.history(scope, actor=a.w.owner, deal_id=int(made.id or 0))
    assert len(seen) == len(set(seen)) == 45
    assert (totals[a.stages[0]].count, totals[a.stages[0]].total_cents) == (45, 4500)
    assert (totals[a.stages[1]].count, totals[a.stages[1]].total_cents) == (1, 250)
    assert [h.to_stage_id for h in history] == [a.stages[0], a.stages[1]]
