"""A browser tab without a browser: a socket.io client speaking Reflex's event protocol.

See /work/shared/notes/reflex-protocol.md. Each tab has its own client token; it signs in as a
browser does, by carrying the HttpOnly session cookie in the websocket's request headers, and
records every delta it receives.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import socketio

NAMESPACE = "/_event"
ROOT = "reflex___state____state"
UPDATE_VARS = f"{ROOT}.reflex___state____update_vars_internal_state.update_vars_internal"
FEED_SUFFIX = "whatsapp_saas___ui___realtime____tenant_feed"


class Tab:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client_token = str(uuid.uuid4())
        self.session_token = ""
        self.deltas: list[dict[str, Any]] = []
        self.sio = self._client()
        self._received = asyncio.Event()

    def _client(self) -> socketio.AsyncClient:
        sio = socketio.AsyncClient(reconnection=False)
        sio.on("event", self._on_event, namespace=NAMESPACE)
        return sio

    async def _on_event(self, update: Any) -> None:
        if isinstance(update, dict) and update.get("delta"):
            self.deltas.append(update["delta"])
        self._received.set()

    async def connect(self) -> None:
        cookie = {"Cookie": f"wa_session={self.session_token}"} if self.session_token else {}
        await self.sio.connect(
            f"{self.base_url}?token={self.client_token}",
            headers=cookie,
            transports=["websocket"],
            namespaces=[NAMESPACE],
            socketio_path="/_event",
        )

    async def disconnect(self) -> None:
        await self.sio.disconnect()
        await asyncio.sleep(0.3)  # let the server see the socket go

    async def reconnect(self, path: str) -> None:
        """The same tab back online: a new socket, the same client token, a hydrate first."""
        self.sio = self._client()
        await self.connect()
        await self.send(f"{ROOT}.hydrate", path)

    async def send(self, handler: str, path: str = "/", **payload: Any) -> None:
        """Send one event and wait until the server has answered it."""
        self._received.clear()
        event = {
            "name": handler,
            "payload": payload,
            "router_data": {"pathname": path, "query": {}, "asPath": path},
        }
        await self.sio.emit("event", event, namespace=NAMESPACE)
        await asyncio.wait_for(self._received.wait(), timeout=30)
        await asyncio.sleep(0.3)  # trailing deltas of the same event

    async def sign_in(self, session_token: str) -> None:
        """Carry the session cookie from now on: the same tab, on a new socket."""
        self.session_token = session_token
        if self.sio.connected:
            await self.sio.disconnect()
        self.sio = self._client()
        await self.connect()

    def feed_deltas(self) -> list[dict[str, Any]]:
        """The deltas that carried the tenant's shared feed."""
        return [
            changes
            for delta in self.deltas
            for name, changes in delta.items()
            if name.endswith(FEED_SUFFIX)
        ]

    def forget_received(self) -> None:
        self.deltas.clear()
