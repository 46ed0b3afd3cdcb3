"""Every HTTP route of the app, called with plain HTTP the way an attacker would.

The app's own routes come from ``whatsapp_saas.ui.api.build_api`` (the Starlette app Reflex
mounts itself under), so a new route without a probe here fails
:func:`test_every_http_route_has_a_probe`. Reflex's ``/_upload`` is driven for every upload
handler by ``test_handler_isolation.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.security import snapshot
from tests.security import world as w
from tests.security.attacker import http_client
from tests.security.conftest import Arena
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.api import build_api

pytestmark = pytest.mark.slow

OGG = b"OggS\x00\x02" + b"\x00" * 64
HOOK_BODY = b'{"phone": "+5511977771234", "text": "attack-text"}'
REFUSED = (401, 403, 404)
EVIL_ORIGIN = "https://evil.example"


@dataclass(frozen=True)
class Probe:
    method: str
    path: Callable[[w.Victim], str]  # a URL naming the hidden conversation's rows
    content: bytes = b""
    content_type: str = ""


PROBES: dict[str, Probe] = {
    "/media/{message_id}": Probe("GET", lambda v: f"/media/{v.hidden_media_message_id}"),
    "/inbox/conversations/{conversation_id}/voice": Probe(
        "POST", lambda v: f"/inbox/conversations/{v.hidden_conversation_id}/voice", OGG, "audio/ogg"
    ),
    # A rule's inbound URL takes no cookie: a session (anyone's) without the secret is a 401.
    "/hooks/automations/{token}": Probe(
        "POST", lambda v: v.hook_path, HOOK_BODY, "application/json"
    ),
}
PUBLIC_ROUTES = {"/healthz"}
# The routes that hand a browser its own session cookie, or end it: nothing of another person's
# to take, and a probe of sign-out would end the attacker's own session mid-suite. Their
# attacks (cross-site posts, forged or replayed codes, the cookie's flags) are tested in
# tests/core/test_session_routes.py and tests/browser/test_accounts_flow.py.
OWN_SESSION_ROUTES = {"/auth/session", "/auth/sign-out"}

# (case, actor, which rows must stay as they are)
CASES = [
    ("no_session", None, "all"),
    ("disabled", "disabled", "all"),
    ("foreign", "attacker", "tenant"),
    ("hidden", "agent_out", "conversation"),
]


def _rows(arena: Arena, which: str) -> snapshot.RowFilter:
    v = arena.world.victim
    if which == "tenant":
        return snapshot.tenant_rows(v.tenant_id)
    if which == "conversation":
        return snapshot.conversation_rows(v.hidden_conversation_id, v.hidden_contact_id)
    return snapshot.every_row


async def _send(arena: Arena, probe: Probe, token: str | None, **headers: str) -> httpx.Response:
    if probe.content_type:
        headers["content-type"] = probe.content_type
    async with http_client(arena.url, token) as client:
        return await client.request(
            probe.method, probe.path(arena.world.victim), content=probe.content, headers=headers
        )


def test_every_http_route_has_a_probe() -> None:
    paths = {getattr(route, "path", "") for route in build_api().routes}
    unprobed = sorted(paths - set(PROBES) - PUBLIC_ROUTES - OWN_SESSION_ROUTES)
    assert not unprobed, f"add an attack probe for: {unprobed}"


@pytest.mark.parametrize("route", sorted(PROBES))
@pytest.mark.parametrize(("case", "actor", "which"), CASES, ids=[c[0] for c in CASES])
async def test_route_refuses(arena: Arena, route: str, case: str, actor: str | None, which: str):
    token = arena.world.tokens[actor] if actor else None
    before = snapshot.take()
    response = await _send(arena, PROBES[route], token)
    after = snapshot.take()
    if snapshot.diff(before, after):
        arena.restore()
    assert response.status_code in REFUSED, (case, response.status_code, response.text[:200])
    assert b"secret-image" not in response.content
    assert not snapshot.diff(before, after, _rows(arena, which))


async def test_control_the_owner_opens_the_media(arena: Arena) -> None:
    """The probe names real data: its owner gets it."""
    response = await _send(arena, PROBES["/media/{message_id}"], arena.world.tokens["owner"])
    assert response.status_code == 200
    assert b"secret-image" in response.content


async def test_public_routes_tell_nothing(arena: Arena) -> None:
    async with http_client(arena.url, None) as client:
        pages = [
            routes.LOGIN,
            routes.SIGNUP,
            routes.DASHBOARD,
            routes.INBOX,
            routes.SCHEDULING,
            routes.SETTINGS,
            routes.WHATSAPP,
            routes.SIMULATOR,
            "/invite/x",
            *PUBLIC_ROUTES,
        ]
        for path in pages:
            response = await client.get(path, follow_redirects=True)
            assert response.status_code == 200, path
            assert not [s for s in (w.SECRET_TENANT, w.SECRET_OPEN_MESSAGE) if s in response.text]


async def test_media_is_not_shared_with_other_origins(arena: Arena) -> None:
    response = await _send(
        arena, PROBES["/media/{message_id}"], arena.world.tokens["owner"], origin=EVIL_ORIGIN
    )
    assert response.headers.get("access-control-allow-origin") not in ("*", EVIL_ORIGIN)
