"""The ``simulator`` driver: a :class:`Gateway` backed by the simulated WhatsApp network.

It speaks the websocket protocol in :mod:`whatsapp_saas.simulator.protocol` to a simulator
process (``python -m whatsapp_saas.simulator``) or an in-process one
(:func:`whatsapp_saas.simulator.start_in_background`). Killing the simulator is a real
disconnect: sessions report ``Disconnected(will_retry=True)`` and reconnect by themselves.

``stop()`` reports nothing (the caller knows); every other end of a session is reported.

Inbound events are acknowledged to the network only once the sink's outcome says they are
committed (``deferred_acks``; see :mod:`.simulator_acks`): the simulator keeps everything
unacked and redelivers it on the next connect, and the session offers an event the app could
not store again after a backoff while it stays connected.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import datetime

import aiohttp

from whatsapp_saas import phones
from whatsapp_saas.simulator.protocol import LOGOUT_PATH, WS_PATH
from whatsapp_saas.whatsapp.drivers import simulator_events as events
from whatsapp_saas.whatsapp.drivers.simulator_session import (
    CONNECTED,
    REDELIVERY,
    WAITING,
    Backoff,
    SimulatorSession,
    Timeouts,
)
from whatsapp_saas.whatsapp.drivers.simulator_store import load_credentials
from whatsapp_saas.whatsapp.gateway import (
    EventSink,
    Gateway,
    InvalidRecipient,
    LoggedOut,
    MediaRef,
    NotLoggedIn,
    OutboundMedia,
    SendResult,
    SessionNotRunning,
    SessionSpec,
)

log = logging.getLogger(__name__)

LOGGED_OUT_BY_USER = "logged out by user"


class SimulatorGateway(Gateway):
    name = "simulator"
    deferred_acks = True

    def __init__(
        self,
        base_url: str,
        *,
        backoff: Backoff | None = None,
        timeouts: Timeouts | None = None,
        redelivery: Backoff = REDELIVERY,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._backoff = backoff or Backoff()
        self._timeouts = timeouts or Timeouts()
        self._redelivery = redelivery
        self._sessions: dict[str, SimulatorSession] = {}
        self._http: aiohttp.ClientSession | None = None
        self._http_loop: asyncio.AbstractEventLoop | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created lazily: an aiohttp session belongs to the loop that first uses it.
        loop = asyncio.get_running_loop()
        if self._http is None or self._http.closed or self._http_loop is not loop:
            timeout = aiohttp.ClientTimeout(total=None, connect=10, sock_connect=5)
            self._http, self._http_loop = aiohttp.ClientSession(timeout=timeout), loop
        return self._http

    def _ws_url(self) -> str:
        return self.base_url.replace("http", "ws", 1) + WS_PATH

    # --- life cycle ----------------------------------------------------------------------

    async def start(self, spec: SessionSpec, sink: EventSink) -> None:
        previous = self._sessions.pop(spec.session_id, None)
        if previous is not None:
            await previous.stop()
        session = SimulatorSession(
            spec,
            sink,
            self._client(),
            self._ws_url(),
            self._backoff,
            self._timeouts,
            self._redelivery,
        )
        self._sessions[spec.session_id] = session
        await session.start()

    async def stop(self, session_id: str) -> None:
        session = self._sessions.pop(session_id, None)
        if session is not None:
            await session.stop()

    async def logout(self, session_id: str) -> None:
        session = self._sessions.get(session_id)
        if session is None:
            # Without a started session we do not know its store, so cannot prove the device.
            raise SessionNotRunning(f"session {session_id} was never started here")
        if session.logged_out:
            return
        if session.state == CONNECTED:
            await session.request("logout")
            # The simulator follows its reply with "logged_out", which ends the session.
            await session.wait_ended(self._timeouts.request)
        else:
            await self._logout_offline(session)
        session.end(LoggedOut(session_id, reason=LOGGED_OUT_BY_USER), logged_out=True)
        await session.stop()

    async def _logout_offline(self, session: SimulatorSession) -> None:
        """Revoke the device over plain HTTP when its socket is down."""
        creds = load_credentials(session.spec.store_path)
        if creds is None:
            return
        body = {"device_id": creds.device_id, "secret": creds.secret}
        try:
            async with self._client().post(
                self.base_url + LOGOUT_PATH, json=body, timeout=aiohttp.ClientTimeout(total=10)
            ) as resp:
                if resp.status not in (200, 404):  # 404: the network no longer knows it
                    raise SessionNotRunning(f"simulator refused logout ({resp.status})")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise SessionNotRunning(f"cannot reach the simulator to log out: {exc}") from exc

    def is_running(self, session_id: str) -> bool:
        session = self._sessions.get(session_id)
        return session is not None and session.running

    async def close(self) -> None:
        for session_id in list(self._sessions):
            await self.stop(session_id)
        if self._http is not None:
            await self._http.close()
            self._http = None

    # --- requests ------------------------------------------------------------------------

    def _session(self, session_id: str) -> SimulatorSession:
        session = self._sessions.get(session_id)
        if session is None:
            raise SessionNotRunning(f"session {session_id} is not running here")
        if session.logged_out:
            raise NotLoggedIn(f"session {session_id} is logged out")
        return session

    async def request_pairing_code(self, session_id: str, phone: str) -> str:
        number = phones.to_e164(phone, None, valid=False)
        if number is None:
            raise InvalidRecipient(f"not a phone number: {phone!r}")
        reply = await self._session(session_id).request("pair_code", need=WAITING, phone=number)
        return str(reply["code"])

    async def send_text(
        self, session_id: str, to: str, text: str, *, message_id: str, quoted_id: str | None = None
    ) -> SendResult:
        reply = await self._session(session_id).request(
            "send", to=events.address(to), message_id=message_id, text=text, quoted_id=quoted_id
        )
        return _sent(reply["message_id"], reply["timestamp"])

    async def send_media(
        self,
        session_id: str,
        to: str,
        media: OutboundMedia,
        *,
        message_id: str,
        quoted_id: str | None = None,
    ) -> SendResult:
        reply = await self._session(session_id).request(
            "send",
            to=events.address(to),
            message_id=message_id,
            text=media.caption or "",
            quoted_id=quoted_id,
            media=events.media_payload(media),
        )
        return _sent(reply["message_id"], reply["timestamp"])

    async def download_media(self, session_id: str, ref: MediaRef) -> bytes:
        reply = await self._session(session_id).request("download", media_id=ref.locator)
        return base64.b64decode(reply["data_b64"])

    async def mark_read(
        self, session_id: str, chat: str, sender: str | None, message_ids: list[str]
    ) -> None:
        await self._session(session_id).request(
            "mark_read", chat=events.address(chat), sender=sender, message_ids=message_ids
        )

    async def set_typing(self, session_id: str, chat: str, typing: bool) -> None:
        await self._session(session_id).request("typing", chat=events.address(chat), typing=typing)


def _sent(message_id: object, stamp: object) -> SendResult:
    return SendResult(message_id=str(message_id), timestamp=datetime.fromisoformat(str(stamp)))
