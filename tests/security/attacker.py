"""A browser-less client that speaks Reflex's event protocol, the way an attacker would.

See /work/shared/notes/reflex-protocol.md: socket.io on ``/_event``, a client token per tab,
``event`` messages carrying a handler's full name, deltas coming back. Uploads are multipart
POSTs to ``/_upload`` naming the tab and the handler.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import socketio

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
APP_STATE = f"{ROOT_STATE}.whatsapp_saas___ui___base_state____app_state"
UPDATE_VARS = f"{ROOT_STATE}.reflex___state____update_vars_internal_state.update_vars_internal"
# A client-storage var that no handler reads: setting it to a fresh value marks "all earlier
# events of this tab are processed" (Reflex runs one tab's events in order).
PROBE_VAR = f"{APP_STATE}.whatsapp_saas___ui___inbox___state____inbox_state.notify_pref"
SESSION_COOKIE = "wa_session"
CALL_TIMEOUT_S = 60


def session_cookie(session_token: str | None) -> dict[str, str]:
    return {SESSION_COOKIE: session_token} if session_token else {}


async def give_session(tab: Tab, session_token: str | None) -> None:
    """THE one place that says how a browser-less client holds a session.

    The session token is the HttpOnly ``wa_session`` cookie that ``POST /auth/session`` sets
    (see ``whatsapp_saas/ui/auth/session_routes.py``). A client carries it in the websocket's
    request headers at connect time (:meth:`Tab.connect`); nothing else is needed, and the
    app's state never holds the token itself.
    """
    del tab, session_token  # the Cookie header at connect is all there is to it


class Tab:
    """One browser tab: its own client token and socket, and everything the app sent it."""

    def __init__(self, base_url: str, session_token: str | None = None) -> None:
        self.base_url = base_url
        self.session_token = session_token
        self.client_token = str(uuid.uuid4())
        self.received: list[dict[str, Any]] = []
        self._sio = socketio.AsyncClient(reconnection=False)
        self._sio.on("event", self._on_event, namespace=NAMESPACE)
        self._probes = 0
        self._probe = ""
        self._probe_seen = asyncio.Event()

    async def connect(self) -> Tab:
        cookies = session_cookie(self.session_token)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
        await self._sio.connect(
            f"{self.base_url}?token={self.client_token}",
            socketio_path="/_event",
            namespaces=[NAMESPACE],
            transports=["websocket"],
            headers=headers,
            wait_timeout=20,
        )
        await give_session(self, self.session_token)
        await self.settle()
        return self

    async def close(self) -> None:
        await self._sio.disconnect()

    async def __aenter__(self) -> Tab:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _on_event(self, data: Any) -> None:
        message = json.loads(data) if isinstance(data, str) else data
        self.received.append(message)
        if self._probe and self._probe in json.dumps(message):
            self._probe_seen.set()

    async def send(self, handler: str, payload: dict[str, Any], pathname: str = "/inbox") -> None:
        router = {"pathname": pathname, "query": {}, "asPath": pathname}
        message = {"name": handler, "payload": payload, "router_data": router}
        await self._sio.emit("event", message, namespace=NAMESPACE)

    async def call(self, handler: str, payload: dict[str, Any], pathname: str = "/inbox") -> str:
        """Send one event and wait until it is processed; returns what came back, as text."""
        start = len(self.received)
        await self.send(handler, payload, pathname)
        await self.settle()
        return self.text_since(start)

    async def settle(self) -> None:
        """Wait until every event sent so far has been processed."""
        self._probes += 1
        self._probe = f"probe-{self.client_token}-{self._probes}"
        self._probe_seen.clear()
        await self.send(UPDATE_VARS, {"vars": {PROBE_VAR: self._probe}})
        await asyncio.wait_for(self._probe_seen.wait(), CALL_TIMEOUT_S)

    def text_since(self, start: int = 0) -> str:
        return json.dumps(self.received[start:], ensure_ascii=False)

    async def upload(self, handler: str, files: list[tuple[str, bytes, str]]) -> httpx.Response:
        """POST files to ``/_upload`` for ``handler`` as this tab."""
        headers = {"reflex-client-token": self.client_token, "reflex-event-handler": handler}
        parts = [("files", (name, data, mimetype)) for name, data, mimetype in files]
        async with http_client(self.base_url, self.session_token) as client:
            return await client.post("/_upload", headers=headers, files=parts)


def http_client(base_url: str, session_token: str | None) -> httpx.AsyncClient:
    """Plain HTTP as a holder of ``session_token`` (or nobody)."""
    return httpx.AsyncClient(
        base_url=base_url, cookies=session_cookie(session_token), timeout=CALL_TIMEOUT_S
    )
