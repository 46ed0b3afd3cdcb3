"""End to end: the simulated customer writes the keyword, the rule's reply reaches the
simulated phone exactly once (the real manager, ingest, spine runner, engine, outbox and
sender: the embedded graph with its scheduler, beside which the spine runs)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import build_graph
from tests.delivery.dlv_helpers import make_tenant, random_phone
from tests.delivery.dlv_live import inboxes, link_numbers, manager_settings, wait_until
from whatsapp_saas.automations import service
from whatsapp_saas.automations.models import AutomationRun
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.common.settings import reset_delivery_settings
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.tenancy.scope import TenantScope

pytestmark = pytest.mark.slow


def _owner(tenant_id: int):  # type: ignore[no-untyped-def]
    from whatsapp_saas.accounts.service import CurrentUser

    return CurrentUser(1, tenant_id, "Acme", "Owner", "o@acme.io", "owner", "en", "UTC")


def _replies(tenant_id: int) -> list[Message]:
    with session_scope() as session:
        return list(TenantScope(session, tenant_id).all(Message, Message.sent_by == "automation"))


async def test_keyword_reply_reaches_the_phone_exactly_once(db: str, sim_url: str) -> None:
    reset_delivery_settings()
    graph = build_graph(manager_settings=manager_settings())
    await graph.start()
    try:
        tenant_id = make_tenant()
        with session_scope() as session:
            service.save_rule(
                TenantScope(session, tenant_id),
                actor=_owner(tenant_id),
                name="Preço",
                trigger={"type": "keyword", "match": "contains", "keyword": "preco"},
                conditions=[],
                actions=[{"type": "send_message", "message": "Tabela: R$ 10"}],
            )
        ((_number_id, business),) = await link_numbers(sim_url, tenant_id, 1)
        customer = random_phone()
        async with httpx.AsyncClient(base_url=sim_url) as client:
            sent = await client.post(
                "/sim/messages",
                json={
                    "from": customer,
                    "to": business,
                    "text": "Qual o PREÇO?",
                    "push_name": "Ana",
                },
            )
            assert sent.status_code < 300, sent.text
        await wait_until(
            lambda: [m for m in _replies(tenant_id) if m.status == "sent"], 30, "reply sent"
        )
    finally:
        await graph.stop()
    received = await inboxes(sim_url, [customer])
    texts = [m["text"] for m in received[customer]["messages"]]
    assert texts.count("Tabela: R$ 10") == 1
    (reply,) = _replies(tenant_id)
    assert reply.automation_rule == "Preço"
    with session_scope() as session:
        assert len(TenantScope(session, tenant_id).all(AutomationRun)) == 1
