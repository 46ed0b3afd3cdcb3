"""Every event handler of every state, called over the websocket the way an attacker would.

Cases, each against the running app (prod mode) and the victim tenant's rows:

- ``no_session``: a fresh tab that never signed in;
- ``disabled``: a disabled admin's tab (its session was revoked when it was disabled);
- ``foreign``: the owner of another tenant, naming the victim's ids;
- ``wrong_role``: an agent calling a manager's handler, an admin calling an owner's;
- ``hidden``: an agent outside the department, naming the rows of its conversation;
- ``public_junk``: nobody, calling the public handlers (sign-in, sign-up, invitations) with
  the victim's email and a wrong password.

A case passes when the app changed nothing it must protect (row counts and a content hash per
table, before and after) and sent back nothing of the victim's that the caller may not see.
The handler list and each handler's arguments come from the app itself; the permission that
decides "wrong role" comes from ``whatsapp_saas.ui.handler_permissions``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.security import snapshot
from tests.security import world as w
from tests.security.attacker import Tab
from tests.security.conftest import Arena
from tests.security.handlers import Handler, app_handlers
from tests.security.payloads import (
    PRIMERS,
    UPLOAD_MARKER,
    arguments,
    forged_owner,
    target_ids,
    upload_files,
)
from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.db import session_scope
from whatsapp_saas.ui.handler_permissions import permission_of

pytestmark = pytest.mark.slow

ALL_SECRETS = (
    w.SECRET_HIDDEN_MESSAGE,
    w.SECRET_HIDDEN_CONTACT,
    w.SECRET_HIDDEN_SCHEDULE,
    w.SECRET_HIDDEN_FOLLOW_UP,
    w.SECRET_OPEN_MESSAGE,
    w.SECRET_OPEN_SCHEDULE,
    w.SECRET_CAMPAIGN,
    w.SECRET_QUICK_REPLY,
    w.SECRET_DEPARTMENT,
    w.SECRET_TENANT,
    w.SECRET_HIDDEN_DEAL,
    w.SECRET_RULE,
)
HIDDEN_SECRETS = (
    w.SECRET_HIDDEN_DEAL,
    w.SECRET_HIDDEN_MESSAGE,
    w.SECRET_HIDDEN_CONTACT,
    w.SECRET_HIDDEN_SCHEDULE,
    w.SECRET_HIDDEN_FOLLOW_UP,
)
MANAGER_SECRETS = (w.SECRET_CAMPAIGN, w.SECRET_RULE)


@dataclass(frozen=True)
class Case:
    name: str
    actor: str | None  # None: no session at all
    secrets: tuple[str, ...]  # what the caller must never receive
    hidden_ids: bool = False
    echo_refused: bool = True  # the caller has no right to the handler at all

    def rows(self, world: w.World) -> snapshot.RowFilter:
        """The rows this caller must not change."""
        if self.name == "foreign":
            return snapshot.tenant_rows(world.victim.tenant_id)
        if self.hidden_ids:
            v = world.victim
            return snapshot.conversation_rows(v.hidden_conversation_id, v.hidden_contact_id)
        return snapshot.every_row

    def ignored_tables(self) -> frozenset[str]:
        # The throttle counts the caller's own attempts (a failed sign-in, an invitation of
        # their own company): that row is the throttle working, not a change to anyone's data.
        # The throttle has its own tests (tests/core/test_throttle.py).
        return frozenset({"login_attempts", "throttle_counters"})


NO_SESSION = Case("no_session", None, ALL_SECRETS)
DISABLED = Case("disabled", "disabled", ALL_SECRETS)
FOREIGN = Case("foreign", "attacker", ALL_SECRETS, echo_refused=False)
AGENT_FOR_MANAGER = Case("wrong_role", "agent_out", MANAGER_SECRETS)
ADMIN_FOR_OWNER = Case("wrong_role", "admin", ())
HIDDEN = Case("hidden", "agent_out", HIDDEN_SECRETS, hidden_ids=True, echo_refused=False)
PUBLIC_JUNK = Case("public_junk", None, ALL_SECRETS)

# Holes found by the suite, each named after the item that closes it and marked strict xfail
# (a fix flips it, and its entry must then go). Empty: every hole issue 9 named is closed.
KNOWN_HOLES: dict[str, str] = {}


def _cases_for(handler: Handler) -> list[Case]:
    permission = permission_of(handler.state_path, handler.name)
    if permission == "public":
        return [PUBLIC_JUNK]
    cases = [NO_SESSION, DISABLED, FOREIGN]
    if permission == "manager":
        cases.append(AGENT_FOR_MANAGER)
    elif permission == "owner":
        cases.append(ADMIN_FOR_OWNER)
    elif permission in ("signed_in", None):  # undeclared: treated as the weakest sensible
        cases.append(HIDDEN)
    return cases


def _params() -> list[Any]:
    found: list[Any] = []
    for handler in app_handlers():
        for case in _cases_for(handler):
            case_id = f"{case.name}-{handler}"
            marks = (
                [pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[case_id])]
                if (case_id in KNOWN_HOLES)
                else []
            )
            found.append(pytest.param(handler, case, id=case_id, marks=marks))
    return found


def _pathname(handler: Handler) -> str:
    return "/invite/not-a-token" if handler.state.__name__ == "InviteState" else "/inbox"


def _primers(handler: Handler) -> list[Handler]:
    """The page-pointing handlers of the handler's state and its parents."""
    states, state = [], handler.state
    while state is not None and state.__module__.startswith("whatsapp_saas"):
        states.append(state)
        state = state.get_parent_state()
    return [
        Handler(s, name, s.event_handlers[name].fn)
        for s in states
        for name in PRIMERS
        if name in s.event_handlers and name != handler.name
    ]


async def _attack(tab: Tab, handler: Handler, world: w.World, case: Case) -> tuple[str, str]:
    """Prime the page, then call the handler. Returns (everything received, the call's part)."""
    ids = target_ids(world, hidden=case.hidden_ids)
    # The page shows a conversation the caller may see; the handler then names other rows.
    page = {**ids, "conversation": world.victim.open_conversation_id}
    public = case is PUBLIC_JUNK
    for primer in _primers(handler):
        await tab.call(primer.event_name, arguments(primer, world, page, public=public))
    start = len(tab.received)
    if handler.takes_upload:
        response = await tab.upload(handler.event_name, upload_files())
        await tab.settle()
        answer = response.text + tab.text_since(start)
    else:
        payload = arguments(handler, world, ids, public=public)
        answer = await tab.call(handler.event_name, payload, _pathname(handler))
    return tab.text_since(0), answer


@pytest.mark.parametrize(("handler", "case"), _params())
async def test_handler_refuses(arena: Arena, handler: Handler, case: Case) -> None:
    world = arena.world
    token = world.tokens[case.actor] if case.actor else None
    ignore = case.ignored_tables()
    assert _live(token) == (case.actor not in (None, "disabled")), "a case must attack as its actor"
    async with Tab(arena.url, token) as tab:
        before = snapshot.take(ignore)
        received, answer = await _attack(tab, handler, world, case)
        after = snapshot.take(ignore)
    if snapshot.diff(before, after):  # even a permitted change (a sign-out): next case fresh
        arena.restore()
    changed = snapshot.diff(before, after, case.rows(world))
    leaked = [s for s in case.secrets if s in received]
    echoed = case.echo_refused and handler.takes_upload and UPLOAD_MARKER in answer
    assert not changed, f"{handler} as {case.name} changed the database: {changed}"
    assert not leaked, f"{handler} as {case.name} sent back the victim's {leaked}"
    assert not echoed, f"{handler} as {case.name} took the upload in"


def _live(token: str | None) -> bool:
    with session_scope() as s:
        return accounts.resolve_session(s, token=token) is not None


# --- controls: the harness sees a change, a leak and a refusal when there is one ---------


def _handler(predicate: Callable[[Handler], bool]) -> Handler:
    return next(h for h in app_handlers() if predicate(h))


async def test_control_a_permitted_change_is_seen(arena: Arena) -> None:
    """The owner saving a quick reply changes the table: the picture is not blind."""
    save = _handler(lambda h: h.state.__name__ == "QuickRepliesState" and h.name == "save")
    world = arena.world
    async with Tab(arena.url, world.tokens["owner"]) as tab:
        before = snapshot.take()
        await tab.call(save.event_name, {"form": {"shortcut": "ctl", "text": "control"}})
        changed = snapshot.diff(before, snapshot.take())
    arena.restore()
    assert changed == ["quick_replies: rows 1 -> 2"]


async def test_control_a_permitted_read_is_seen(arena: Arena) -> None:
    """An agent opening a conversation they may see receives its messages: leaks would show."""
    select = _handler(lambda h: h.state.__name__ == "InboxState" and h.name == "select")
    world = arena.world
    async with Tab(arena.url, world.tokens["agent_out"]) as tab:
        answer = await tab.call(
            select.event_name, {"conversation_id": str(world.victim.open_conversation_id)}
        )
    arena.restore()  # opening marks the conversation read
    assert w.SECRET_OPEN_MESSAGE in answer


async def test_control_nobody_calling_changes_nothing(arena: Arena) -> None:
    """The app's own background work leaves the protected rows alone during a case."""
    before = snapshot.take()
    async with Tab(arena.url) as tab:
        await tab.settle()
    assert snapshot.diff(before, snapshot.take()) == []


@pytest.mark.parametrize("name", ["remember", "_remember"])
async def test_a_forged_identity_is_not_remembered(arena: Arena, name: str) -> None:
    """An agent hands ``remember`` (now the private ``_remember``) a made-up owner; the page
    must not show it."""
    app_state = _handler(lambda h: h.state.__name__ == "AppState").state
    callable_names = {h.name for h in app_handlers() if h.state is app_state}
    assert not callable_names & {"remember", "_remember"}
    world = arena.world
    async with Tab(arena.url, world.tokens["agent_out"]) as tab:
        event = f"{app_state.get_full_name()}.{name}"
        answer = await tab.call(event, {"user": forged_owner(world)})
    assert '"role_rx_state_": "owner"' not in answer


async def test_control_a_permitted_deal_move_is_seen(arena: Arena) -> None:
    """An agent moving the open contact's deal changes the deal and its history: the deal
    handlers' cases are not blind."""
    move = _handler(lambda h: h.state.__name__ == "PipelineState" and h.name == "move_deal")
    world = arena.world
    async with Tab(arena.url, world.tokens["agent_out"]) as tab:
        before = snapshot.take()
        await tab.call(
            move.event_name,
            {"deal_id": str(world.victim.open_deal_id), "stage_id": str(world.victim.stage_id)},
        )
        changed = snapshot.diff(before, snapshot.take())
    arena.restore()
    assert "deal_stage_changes: rows 2 -> 3" in changed
