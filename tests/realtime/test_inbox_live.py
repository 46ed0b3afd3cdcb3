"""Over the real websocket: the Inbox's pushed live updates reach who may see them, and only.

The hub pushes each tab its rows (``ui.inbox.hub``); the page decides what its user may see in
memory. These tests watch the deltas a tab receives, as a browser would get them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.browser.conftest import RunningApp
from tests.realtime.conftest import Team, make_team
from tests.realtime.live_inbox import (
    customer_writes,
    eventually,
    inbox_text,
    link_number,
    open_inbox,
    phone,
)
from tests.realtime.socket_tab import Tab
from whatsapp_saas.ui.base_state import AppState

pytestmark = pytest.mark.slow

SETTLE_S = 2.0  # long enough for a committed message to reach every tab; never a timing check


async def signed_in_tabs(url: str, team: Team) -> tuple[Tab, Tab]:
    owner, agent = Tab(url), Tab(url)
    for tab, person in ((owner, team.owner), (agent, team.agent)):
        await tab.connect()
        await tab.sign_in(person.session_token)
    return owner, agent


def put_in_a_department(tenant_id: int, marker: str) -> None:
    """Move the conversation holding ``marker`` to a new department the agent is not in."""
    from sqlmodel import select

    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.models import Conversation, Department, Message

    with session_scope() as s:
        department = Department(tenant_id=tenant_id, name=f"Vendas {marker}")
        s.add(department)
        s.flush()
        message = s.exec(select(Message).where(Message.body == marker)).one()
        conv = s.get(Conversation, message.conversation_id)
        assert conv is not None
        conv.department_id = department.id
        s.add(conv)


async def until_stored(marker: str) -> None:
    from sqlmodel import select

    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.models import Message

    def stored() -> bool:
        with session_scope() as s:
            return s.exec(select(Message.id).where(Message.body == marker)).first() is not None

    assert await eventually(stored)


async def test_an_agent_outside_a_department_never_receives_its_conversation(
    feed_app: tuple[RunningApp, Path],
) -> None:
    app, _log = feed_app
    team = make_team()
    owner, agent = await signed_in_tabs(app.url, team)
    try:
        business = await link_number(owner, app.simulator_url, team.owner.tenant_id)
        secret_customer, open_customer = phone(), phone()
        customer_writes(app.simulator_url, business, secret_customer, "first-of-queue")
        await until_stored("first-of-queue")
        put_in_a_department(team.owner.tenant_id, "first-of-queue")
        await open_inbox(owner)
        await open_inbox(agent)
        agent.forget_received()

        customer_writes(app.simulator_url, business, secret_customer, "SECRET-7731")
        assert await eventually(lambda: "SECRET-7731" in inbox_text(owner)), "control: owner"
        customer_writes(app.simulator_url, business, open_customer, "OPEN-7731")
        assert await eventually(lambda: "OPEN-7731" in inbox_text(agent)), "control: agent"
        await asyncio.sleep(SETTLE_S)
        assert "SECRET-7731" not in inbox_text(agent)
        assert "first-of-queue" not in inbox_text(agent)
    finally:
        await owner.disconnect()
        await agent.disconnect()


async def test_a_tab_that_missed_updates_while_away_reloads_when_back(
    feed_app: tuple[RunningApp, Path],
) -> None:
    app, _log = feed_app
    team = make_team()
    owner, agent = await signed_in_tabs(app.url, team)
    try:
        business = await link_number(owner, app.simulator_url, team.owner.tenant_id)
        await open_inbox(agent)
        customer_writes(app.simulator_url, business, phone(), "BEFORE-1")
        assert await eventually(lambda: "BEFORE-1" in inbox_text(agent)), "control"

        await agent.disconnect()
        customer_writes(app.simulator_url, business, phone(), "AWAY-1")  # its push is dropped
        await until_stored("AWAY-1")
        await asyncio.sleep(SETTLE_S)
        await agent.reconnect("/inbox")
        agent.forget_received()
        # The next update finds the tab back: it reloads its list, which holds the missed one.
        customer_writes(app.simulator_url, business, phone(), "BACK-1")
        assert await eventually(lambda: "AWAY-1" in inbox_text(agent))
        assert await eventually(lambda: "BACK-1" in inbox_text(agent))
    finally:
        await owner.disconnect()
        await agent.disconnect()


async def test_a_signed_out_tab_receives_no_more_inbox_updates(
    feed_app: tuple[RunningApp, Path],
) -> None:
    app, _log = feed_app
    team = make_team()
    owner, agent = await signed_in_tabs(app.url, team)
    try:
        business = await link_number(owner, app.simulator_url, team.owner.tenant_id)
        await open_inbox(owner)
        await open_inbox(agent)
        customer_writes(app.simulator_url, business, phone(), "LIVE-1")
        assert await eventually(lambda: "LIVE-1" in inbox_text(agent)), "control"
        await agent.send(f"{AppState.get_full_name()}.sign_out", "/inbox")
        customer_writes(app.simulator_url, business, phone(), "AFTER-1")
        assert await eventually(lambda: "AFTER-1" in inbox_text(owner))
        await asyncio.sleep(SETTLE_S)
        assert "AFTER-1" not in inbox_text(agent)
    finally:
        await owner.disconnect()
        await agent.disconnect()
