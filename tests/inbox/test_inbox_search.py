"""Text search: PostgreSQL full-text search, LIKE on SQLite; permissions apply to results."""

from __future__ import annotations

import pytest
from conftest import World
from inbox_helpers import conversations, image, inbound

from whatsapp_saas.contacts.service import list_contacts
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox import queries, service
from whatsapp_saas.inbox.ingest import ingest_batch
from whatsapp_saas.tenancy.scope import TenantScope


def _seed(world: World) -> None:
    a, b = world.a, world.b
    ingest_batch(
        [
            inbound(
                a.tenant_id, a.number_id, phone="+5511933330001", text="Quero o boleto do pedido 42"
            ),
            inbound(
                a.tenant_id, a.number_id, phone="+5511933330002", text="qual o horário da loja?"
            ),
            inbound(a.tenant_id, a.number_id, phone="+5511933330003", text="boleto", media=image()),
            inbound(b.tenant_id, b.number_id, phone="+5511933330001", text="boleto do pedido"),
        ]
    )


def _search(viewer, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        hits = service.search_messages(
            TenantScope(session, viewer.tenant_id), actor=viewer, text=text
        )
        return sorted((h.message.body or h.message.caption or "") for h in hits)


# (WALK_ABOVE, RARE_CAP): each query shape the search can take must give the same answers.
PLANS = pytest.mark.parametrize(
    "plan", [(3000, 5000), (-1, 5000), (3000, 1)], ids=["rare", "common", "rare-overflow"]
)


@PLANS
def test_message_search_finds_all_words_in_body_and_caption(
    world: World, plan: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "WALK_ABOVE", plan[0])
    monkeypatch.setattr(queries, "RARE_CAP", plan[1])
    _seed(world)
    assert _search(world.a.owner, "boleto") == ["Quero o boleto do pedido 42", "boleto"]
    assert _search(world.a.owner, "pedido BOLETO") == ["Quero o boleto do pedido 42"]
    assert _search(world.a.owner, "nada disso") == []
    assert _search(world.a.owner, "   ") == []
    assert _search(world.b.owner, "boleto") == ["boleto do pedido"]


@PLANS
def test_search_respects_departments(
    world: World, plan: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "WALK_ABOVE", plan[0])
    monkeypatch.setattr(queries, "RARE_CAP", plan[1])
    _seed(world)
    first = conversations(tenant_id=world.a.tenant_id)[0]
    with session_scope() as session:
        scope = TenantScope(session, world.a.tenant_id)
        service.transfer(
            scope,
            actor=world.a.owner,
            conversation_id=first.id,
            department_id=world.a.department_id,
        )  # type: ignore[arg-type]
    assert _search(world.a.agent_out, "boleto") == ["boleto"]
    assert len(_search(world.a.agent_in, "boleto")) == 2


@PLANS
def test_conversation_list_search_covers_messages_and_contact(
    world: World, plan: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "WALK_ABOVE", plan[0])
    monkeypatch.setattr(queries, "RARE_CAP", plan[1])
    _seed(world)
    with session_scope() as session:
        scope = TenantScope(session, world.a.tenant_id)
        by_text = service.list_conversations(scope, actor=world.a.owner, search="horário")
        by_phone = service.list_conversations(scope, actor=world.a.owner, search="933330003")
        by_name = service.list_conversations(scope, actor=world.a.owner, search="mari")
        assert [i.contact.phone for i in by_text.items] == ["+5511933330002"]
        assert [i.contact.phone for i in by_phone.items] == ["+5511933330003"]
        assert len(by_name.items) == 3  # push name "Maria"
        agent = service.list_conversations(scope, actor=world.a.agent_out, search="boleto")
        assert len(agent.items) == 2
        assert service.list_conversations(scope, actor=world.a.owner, search="50%_off").items == []


def test_contact_list_search(world: World) -> None:
    _seed(world)
    with session_scope() as session:
        scope = TenantScope(session, world.a.tenant_id)
        assert len(list_contacts(scope, search="MARIA")) == 3
        assert [c.phone for c in list_contacts(scope, search="30002")] == ["+5511933330002"]
        assert list_contacts(scope, search="%") == []
