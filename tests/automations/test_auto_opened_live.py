"""End to end: a new number writes twice; the "conversation opened" rule's greeting reaches the
simulated phone exactly once (the real manager, ingest recording ConversationOpened, the spine
runner, the engine, outbox and sender: the embedded graph with its scheduler)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import build_graph
from tests.delivery.dlv_helpers import make_tenant, random_phone
from tests.delivery.dlv_live import inboxes, link_numbers, manager_settings, wait_until
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import service
from whatsapp_saas.automations.models import AutomationRun
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.common.settings import reset_delivery_settings
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.tenancy.scope import TenantScope

pytestmark = pytest.mark.slow
GREETING = "Bem-vindo! Já vamos atender."


def _greetings(tenant_id: int) -> list[Message]:
    with session_scope() as session:
        return list(TenantScope(session, tenant_id).all(Message, Message.sent_by == "automation"))


async def test_a_new_number_is_greeted_once(db: str, sim_url: str) -> None:
    reset_delivery_settings()
    graph = build_graph(manager_settings=manager_settings())
    await graph.start()
    try:
        tenant_id = make_tenant()
        owner = CurrentUser(1, tenant_id, "Acme", "Owner", "o@acme.io", "owner", "en", "UTC")
        with session_scope() as session:
            service.save_rule(
                TenantScope(session, tenant_id),
                actor=owner,
                name="Boas-vindas",
                trigger={"type": "conversation_opened"},
                conditions=[],
                actions=[{"type": "send_message", "message": GREETING}],
            )
        ((_number_id, business),) = await link_numbers(sim_url, tenant_id, 1)
        customer = random_phone()  # no contact, no conversation yet
        async with httpx.AsyncClient(base_url=sim_url) as client:
            for text in ("Oi", "Alguém aí?"):
                body = {"from": customer, "to": business, "text": text, "push_name": "Ana"}
                sent = await client.post("/sim/messages", json=body)
                assert sent.status_code < 300, sent.text
        await wait_until(
            lambda: [m for m in _greetings(tenant_id) if m.status == "sent"], 30, "greeting sent"
        )
        await wait_until(lambda: _inbound_count(tenant_id) == 2, 30, "both messages stored")
    finally:
        await graph.stop()
    received = await inboxes(sim_url, [customer])
    texts = [m["text"] for m in received[customer]["messages"]]
    assert texts.count(GREETING) == 1
    (greeting,) = _greetings(tenant_id)
    assert greeting.automation_rule == "Boas-vindas"
    with session_scope() as session:
        (run,) = TenantScope(session, tenant_id).all(AutomationRun)
    assert run.event == "conversation_opened" and run.status == "fired"


def _inbound_count(tenant_id: int) -> int:
    with session_scope() as session:
        return len(TenantScope(session, tenant_id).all(Message, Message.direction == "in"))
