"""Over the real websocket: only tabs that may see a tenant keep receiving its live updates.

Issue 9 item 5 (a signed-out or disabled user's open tab kept receiving the tenant's feed) and
issue 8 "Clean start-up" (a feed write logged "Attempting to send delta to disconnected
client", and disconnected tabs were never unlinked).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.conftest import RunningApp
from tests.realtime.conftest import Team, make_team
from tests.realtime.socket_tab import Tab
from whatsapp_saas.ui.base_state import AppState
from whatsapp_saas.ui.settings.users_state import UsersState
from whatsapp_saas.ui.whatsapp.state import WhatsAppState

pytestmark = pytest.mark.slow

APP = AppState.get_full_name()
WHATSAPP = WhatsAppState.get_full_name()
# Long enough for the relay to see a committed change; the checks below never time anything.
SETTLE_S = 2.0


async def eventually(condition: Callable[[], bool], timeout: float = 15) -> bool:
    for _ in range(int(timeout / 0.2)):
        if condition():
            return True
        await asyncio.sleep(0.2)
    return condition()


async def open_tabs(url: str, team: Team) -> tuple[Tab, Tab]:
    owner, agent = Tab(url), Tab(url)
    for tab, person in ((owner, team.owner), (agent, team.agent)):
        await tab.connect()
        await tab.sign_in(person.session_token)
    # The numbers feed is the WhatsApp page's (the Inbox's own pushes: test_inbox_live.py).
    await agent.send(f"{WHATSAPP}.load", "/whatsapp")
    await owner.send(f"{WHATSAPP}.load", "/whatsapp")
    return owner, agent


async def add_number(owner: Tab, name: str) -> None:
    await owner.send(f"{WHATSAPP}.add_number", "/whatsapp", form={"name": name})


async def assert_agent_still_receives(owner: Tab, agent: Tab) -> None:
    agent.forget_received()
    await add_number(owner, "Vendas")
    assert await eventually(lambda: bool(agent.feed_deltas())), "control: a linked tab gets it"


async def assert_agent_receives_nothing(owner: Tab, agent: Tab) -> None:
    agent.forget_received()
    owner.forget_received()
    await add_number(owner, "Suporte")
    assert await eventually(lambda: bool(owner.feed_deltas()))
    await asyncio.sleep(SETTLE_S)
    assert agent.feed_deltas() == []


async def test_a_signed_out_tab_receives_no_more_tenant_updates(
    feed_app: tuple[RunningApp, Path],
) -> None:
    app, _log = feed_app
    owner, agent = await open_tabs(app.url, make_team())
    try:
        await assert_agent_still_receives(owner, agent)
        await agent.send(f"{APP}.sign_out", "/inbox")
        await assert_agent_receives_nothing(owner, agent)
    finally:
        await owner.disconnect()
        await agent.disconnect()


@pytest.mark.parametrize(
    ("handler", "payload"),
    [("set_active", {"active": False}), ("change_role", {"role": "admin"})],
    ids=["disabled", "role-changed"],
)
async def test_a_disabled_or_re_roled_users_tab_receives_no_more_tenant_updates(
    feed_app: tuple[RunningApp, Path], handler: str, payload: dict[str, object]
) -> None:
    app, _log = feed_app
    team = make_team()
    owner, agent = await open_tabs(app.url, team)
    try:
        await assert_agent_still_receives(owner, agent)
        await owner.send(f"{UsersState.get_full_name()}.load", "/settings")
        user_id = str(team.agent.user_id)
        await owner.send(
            f"{UsersState.get_full_name()}.{handler}", "/settings", user_id=user_id, **payload
        )
        await asyncio.sleep(SETTLE_S)  # the access change reaches the relay after commit
        await owner.send(f"{WHATSAPP}.load", "/whatsapp")
        await assert_agent_receives_nothing(owner, agent)
    finally:
        await owner.disconnect()
        await agent.disconnect()


async def test_a_closed_tab_is_unlinked_quietly_and_a_reconnected_one_gets_updates_again(
    feed_app: tuple[RunningApp, Path],
) -> None:
    app, log = feed_app
    team = make_team()
    owner, agent = await open_tabs(app.url, team)
    try:
        await assert_agent_still_receives(owner, agent)
        await agent.disconnect()
        # Live updates written by the relay (a number's state and QR code), while the tab is gone.
        await add_number(owner, "Loja")
        await owner.send(f"{WHATSAPP}.connect", "/whatsapp", number_id=_last_number(team))
        # The QR code travels in the managers' linking feed, not the tenant feed.
        assert await eventually(lambda: "data:image/svg" in str(owner.deltas))
        await asyncio.sleep(SETTLE_S)
        assert "Attempting to send delta to disconnected client" not in log.read_text()

        await agent.reconnect("/inbox")
        await assert_agent_still_receives(owner, agent)
    finally:
        await owner.disconnect()
        await agent.disconnect()


async def connect_number(owner: Tab, team: Team, name: str) -> None:
    """Add a number and connect it: its QR code goes out to the managers' tabs."""
    await add_number(owner, name)
    await owner.send(f"{WHATSAPP}.connect", "/whatsapp", number_id=_last_number(team))


async def test_a_manager_made_agent_receives_no_more_qr_codes(
    feed_app: tuple[RunningApp, Path],
) -> None:
    """QR codes travel in the managers' own feed; a demoted admin's open tab leaves it."""
    app, _log = feed_app
    team = make_team(role="admin")
    owner, admin = Tab(app.url), Tab(app.url)
    for tab, person in ((owner, team.owner), (admin, team.agent)):
        await tab.connect()
        await tab.sign_in(person.session_token)
        await tab.send(f"{WHATSAPP}.load", "/whatsapp")
    try:
        await connect_number(owner, team, "Loja")
        assert await eventually(lambda: "data:image/svg" in str(admin.deltas)), "control"
        await owner.send(f"{UsersState.get_full_name()}.load", "/settings")
        await owner.send(
            f"{UsersState.get_full_name()}.change_role",
            "/settings",
            user_id=str(team.agent.user_id),
            role="agent",
        )
        await asyncio.sleep(SETTLE_S)  # the access change reaches the relay after commit
        owner.forget_received()
        admin.forget_received()
        await owner.send(f"{WHATSAPP}.load", "/whatsapp")
        await connect_number(owner, team, "Filial")
        assert await eventually(lambda: "data:image/svg" in str(owner.deltas))
        await asyncio.sleep(SETTLE_S)
        assert "data:image/svg" not in str(admin.deltas)
    finally:
        await owner.disconnect()
        await admin.disconnect()


def _last_number(team: Team) -> str:
    from sqlmodel import select

    from whatsapp_saas.db import session_scope
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    with session_scope() as s:
        ids = s.exec(
            select(WhatsAppNumber.id).where(WhatsAppNumber.tenant_id == team.owner.tenant_id)
        ).all()
    return str(max(i for i in ids if i is not None))
