"""The board with 5,000 open deals: per-column counts and totals, and paging a column to the
end without a gap or a repeat; what an agent's board leaves out; a contact's deals."""

from __future__ import annotations

from datetime import timedelta

from tests.deals.conftest import DealWorld
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals import board
from whatsapp_saas.deals.models import Deal
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope

DEALS = 5_000


def _seed(side, count: int) -> dict[int, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """``count`` deals spread over the open stages; returns {stage: (count, total)}."""
    expected: dict[int, tuple[int, int]] = {}
    start = utcnow() - timedelta(days=30)
    rows = []
    for i in range(count):
        stage = side.stages[i % 3]
        contact = side.hidden_contact if i % 10 == 0 else side.open_contact
        value = (i % 97) * 1000 + 1
        n, total = expected.get(stage, (0, 0))
        expected[stage] = (n + 1, total + value)
        rows.append(
            Deal(
                tenant_id=side.w.tenant_id,
                pipeline_id=side.pipeline_id,
                stage_id=stage,
                contact_id=contact,
                title=f"Deal {i}",
                value_cents=value,
                # Many deals share one instant: the keyset must break ties by id.
                stage_entered_at=start + timedelta(minutes=i // 7),
            )
        )
    with session_scope() as s:
        s.add_all(rows)
    return expected


def test_column_totals_and_pages_with_5000_deals(deal_world: DealWorld) -> None:
    a = deal_world.a
    expected = _seed(a, DEALS)
    _seed(deal_world.b, 50)  # another tenant's deals never count
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        totals = board.column_totals(scope, actor=a.w.owner, pipeline_id=a.pipeline_id)
        assert {k: (v.count, v.total_cents) for k, v in totals.items()} == expected
        seen: list[int] = []
        cards, cursor = board.column_page(scope, actor=a.w.owner, stage_id=a.stages[1], limit=25)
        assert len(cards) == 25 and cursor
        first_times = [c.stage_entered_at for c in cards]
        assert first_times == sorted(first_times, reverse=True)
        seen += [c.deal_id for c in cards]
        pages = 1
        while cursor:
            cards, cursor = board.column_page(
                scope, actor=a.w.owner, stage_id=a.stages[1], after=cursor, limit=200
            )
            seen += [c.deal_id for c in cards]
            pages += 1
    assert len(seen) == len(set(seen)) == expected[a.stages[1]][0]
    assert pages == 1 + -(-(expected[a.stages[1]][0] - 25) // 200)


def test_cards_show_owner_and_last_message(deal_world: DealWorld) -> None:
    a = deal_world.a
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        scope.add(
            Deal(
                tenant_id=a.w.tenant_id,
                pipeline_id=a.pipeline_id,
                stage_id=a.stages[0],
                contact_id=a.open_contact,
                title="Com conversa",
                value_cents=500,
                owner_id=a.w.agent_in.user_id,
            )
        )
    with session_scope() as s:
        [card], cursor = board.column_page(
            TenantScope(s, a.w.tenant_id), actor=a.w.owner, stage_id=a.stages[0]
        )
    assert cursor == ""
    assert (card.title, card.owner_name, card.contact_name) == ("Com conversa", "in", "Maria")
    assert card.last_message == f"hello from {a.open_contact}"


def test_an_agent_board_leaves_out_hidden_contacts(deal_world: DealWorld) -> None:
    a = deal_world.a
    expected = _seed(a, 300)
    with session_scope() as s:
        scope = TenantScope(s, a.w.tenant_id)
        mine = board.column_totals(scope, actor=a.w.agent_out, pipeline_id=a.pipeline_id)
        theirs = board.column_totals(scope, actor=a.w.agent_in, pipeline_id=a.pipeline_id)
        cards, _ = board.column_page(scope, actor=a.w.agent_out, stage_id=a.stages[0], limit=200)
        hidden_deals = board.contact_deals(scope, actor=a.w.agent_out, contact_id=a.hidden_contact)
        open_deals = board.contact_deals(scope, actor=a.w.agent_out, contact_id=a.open_contact)
    assert sum(v.count for v in theirs.values()) == 300
    assert sum(v.count for v in mine.values()) == 300 - 30
    assert mine[a.stages[0]].count < expected[a.stages[0]][0]
    assert all(c.contact_id == a.open_contact for c in cards)
    assert hidden_deals == [] and len(open_deals) == 200


def test_another_tenants_stage_pages_nothing(deal_world: DealWorld) -> None:
    a, b = deal_world.a, deal_world.b
    _seed(a, 10)
    with session_scope() as s:
        scope = TenantScope(s, b.w.tenant_id)
        assert board.column_totals(scope, actor=b.w.owner, pipeline_id=a.pipeline_id) == {}
        try:
            board.column_page(scope, actor=b.w.owner, stage_id=a.stages[0])
        except LookupError:
            pass
        else:
            raise AssertionError("another tenant's stage must be not found")
