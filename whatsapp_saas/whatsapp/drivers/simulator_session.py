"""One session of the simulator driver: its websocket, reconnects, requests and events.

The session owns a loop task that connects, says hello with the stored credentials, turns
frames into gateway events, and reconnects with capped, jittered exponential backoff when the
socket drops. It ends for good on QR timeout, logout/unlink, replacement, or ``stop()``.

Inbound messages and receipts are acknowledged to the simulator only once the sink's outcome
says they are stored (:mod:`.simulator_acks`); until then the simulator keeps them and
redelivers them on the next connect.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from whatsapp_saas.simulator.protocol import (
    HEARTBEAT_SECONDS,
    INVALID_RECIPIENT,
    MAX_MESSAGE_BYTES,
    NOT_LOGGED_IN,
    UNKNOWN_DEVICE,
    Frame,
    FrameWriter,
    decode,
)
from whatsapp_saas.whatsapp.drivers import simulator_events as events
from whatsapp_saas.whatsapp.drivers.simulator_acks import DeferredAcks
from whatsapp_saas.whatsapp.drivers.simulator_store import (
    Credentials,
    load_credentials,
    save_credentials,
)
from whatsapp_saas.whatsapp.gateway import (
    Connected,
    Disconnected,
    EventSink,
    GatewayError,
    GatewayEvent,
    InvalidRecipient,
    LoggedOut,
    NotLoggedIn,
    QrCodeIssued,
    QrTimedOut,
    SessionNotRunning,
    SessionSpec,
    StoreChanged,
)

log = logging.getLogger(__name__)

# Session states.
STARTING, WAITING, CONNECTED, RECONNECTING, ENDED = (
    "starting",
    "waiting",
    "connected",
    "reconnecting",
    "ended",
)


class RequestRefused(GatewayError):
    """The simulator refused a request for a reason a retry will not fix."""

    transient = False


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential backoff with "equal jitter": half fixed, half random."""

    initial: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        base = min(self.cap, self.initial * 2.0 ** min(attempt, 30))
        return base / 2 + random.uniform(0, base / 2)


# How soon an inbound event the app could not store is offered to it again (live session).
REDELIVERY = Backoff(initial=1.0, cap=60.0)


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 10.0  # how long start() waits for the first answer
    request: float = 30.0


class SimulatorSession:
    def __init__(
        self,
        spec: SessionSpec,
        sink: EventSink,
        http: aiohttp.ClientSession,
        ws_url: str,
        backoff: Backoff,
        timeouts: Timeouts,
        redelivery: Backoff = REDELIVERY,
    ) -> None:
        self.spec = spec
        self.state = STARTING
        self.logged_out = False
        self._sink = sink
        self._http = http
        self._ws_url = ws_url
        self._backoff = backoff
        self._timeouts = timeouts
        self._writer: FrameWriter | None = None
        self._replies: dict[int, asyncio.Future[Frame]] = {}
        self._ids = itertools.count(1)
        self._acks = DeferredAcks(spec.session_id, self._push, self._handle_again, redelivery)
        self._settled = asyncio.Event()
        self._ended = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._handlers: dict[str, Callable[[Frame], None]] = {
            "qr": self._on_qr,
            "qr_timeout": self._on_qr_timeout,
            "paired": self._on_paired,
            "connected": self._on_connected,
            "logged_out": self._on_logged_out,
            "replaced": self._on_replaced,
            "message": self._on_message,
            "receipt": self._on_receipt,
            "presence": self._on_presence,
            "reply": self._on_reply,
        }

    @property
    def session_id(self) -> str:
        return self.spec.session_id

    @property
    def running(self) -> bool:
        return self.state != ENDED

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Begin connecting; return once the simulator answered (or the first attempt failed)."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._settled.wait(), self._timeouts.connect)

    async def stop(self) -> None:
        self.state = ENDED
        self._ended.set()
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._fail_replies("session stopped")
        self._acks.close()

    async def wait_ended(self, timeout: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ended.wait(), timeout)
        return self._ended.is_set()

    def end(self, event: GatewayEvent | None, *, logged_out: bool = False) -> None:
        """Terminal: report ``event`` once and stop reconnecting.

        An ended session can still become logged out (``logout()`` after a QR timeout).
        """
        if self.state == ENDED and (self.logged_out or not logged_out):
            return
        self.state = ENDED
        self.logged_out = logged_out
        self._ended.set()
        self._settled.set()
        if event is not None:
            self._emit(event)

    # --- requests ------------------------------------------------------------------------

    async def request(self, op: str, *, need: str = CONNECTED, **fields: Any) -> Frame:
        """Send one request and wait for its reply; raise the matching gateway error."""
        self._check_state(need)
        assert self._writer is not None
        req_id = next(self._ids)
        reply: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._replies[req_id] = reply
        self._writer.push({"type": "req", "id": req_id, "op": op, **fields})
        try:
            frame = await asyncio.wait_for(reply, self._timeouts.request)
        except TimeoutError as exc:
            raise SessionNotRunning(f"simulator did not answer {op} in time") from exc
        finally:
            self._replies.pop(req_id, None)
        if not frame.get("ok"):
            raise _error_for(frame)
        return frame

    def _check_state(self, need: str) -> None:
        if self.logged_out:
            raise NotLoggedIn(f"session {self.session_id} is logged out")
        if self.state == ENDED:
            raise SessionNotRunning(f"session {self.session_id} is not running")
        if self.state == WAITING and need == CONNECTED:
            raise NotLoggedIn(f"session {self.session_id} is waiting for a QR scan")
        if self.state == CONNECTED and need == WAITING:
            raise RequestRefused(f"session {self.session_id} is already logged in")
        if self.state != need or self._writer is None:
            raise SessionNotRunning(f"session {self.session_id} is {self.state}")

    def _fail_replies(self, why: str) -> None:
        for reply in self._replies.values():
            if not reply.done():
                reply.set_exception(SessionNotRunning(why))
        self._replies.clear()

    # --- connection loop -----------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        reported = False  # one Disconnected per outage, not one per failed attempt
        while self.state != ENDED:
            try:
                answered = await self._connect_once()
                reason = "connection closed by the simulator"
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                answered, reason = False, f"cannot reach the simulator: {exc or type(exc).__name__}"
            except Exception as exc:
                # A bug must not end the session silently; report it and keep retrying.
                log.exception("session %s: connection loop failed", self.session_id)
                answered, reason = False, f"driver error: {exc!r}"
            if self.state == ENDED:
                return
            if answered:
                attempt, reported = 0, False
            self.state = RECONNECTING
            if not reported:
                reported = True
                self._emit(Disconnected(self.session_id, reason=reason, will_retry=True))
                self._settled.set()
            await asyncio.sleep(self._backoff.delay(attempt))
            attempt += 1

    async def _connect_once(self) -> bool:
        """One socket's life; True if the simulator answered our hello."""
        creds = load_credentials(self.spec.store_path)
        answered = False
        async with self._http.ws_connect(
            self._ws_url, heartbeat=HEARTBEAT_SECONDS, compress=0, max_msg_size=MAX_MESSAGE_BYTES
        ) as ws:
            writer = FrameWriter(ws)
            writer.start()
            writer.push(self._hello(creds))
            self._writer = writer
            self._acks.flush()  # acks that became ready while no socket was up
            try:
                async for msg in ws:
                    if msg.type == aiohttp.WSMsgType.TEXT:
                        answered = True
                        self._on_text(msg.data)
            finally:
                self._writer = None
                self._fail_replies("connection to the simulator lost")
                await writer.stop()
        return answered

    def _hello(self, creds: Credentials | None) -> Frame:
        return {
            "type": "hello",
            "session_id": self.session_id,
            "device_name": self.spec.device_name,
            "credentials": {"device_id": creds.device_id, "secret": creds.secret}
            if creds
            else None,
        }

    def _on_text(self, text: str) -> None:
        try:
            frames = decode(text)
        except ValueError:
            log.warning("session %s: malformed frame from the simulator", self.session_id)
            return
        for frame in frames:
            self._handle(frame)

    def _handle(self, frame: Frame) -> None:
        handler = self._handlers.get(str(frame.get("type")))
        if handler is None:
            log.debug("session %s: ignoring frame %r", self.session_id, frame.get("type"))
            return
        try:
            handler(frame)
        except (KeyError, TypeError, ValueError):
            log.exception("session %s: bad %s frame", self.session_id, frame.get("type"))

    def _handle_again(self, frame: Frame) -> None:
        """An inbound frame the app did not store, offered again while the session lives."""
        if self.state == CONNECTED:
            self._handle(frame)

    # --- frame handlers ------------------------------------------------------------------

    def _on_qr(self, frame: Frame) -> None:
        self.state = WAITING
        self._settled.set()
        expires = events.timestamp(frame["expires_at"])
        self._emit(QrCodeIssued(self.session_id, code=str(frame["code"]), expires_at=expires))

    def _on_qr_timeout(self, frame: Frame) -> None:
        self.end(QrTimedOut(self.session_id))

    def _on_paired(self, frame: Frame) -> None:
        creds = Credentials(**{k: str(v) for k, v in frame["credentials"].items()})
        try:
            save_credentials(self.spec.store_path, creds)
        except OSError:
            log.exception("session %s: could not write %s", self.session_id, self.spec.store_path)
            return
        self._emit(StoreChanged(self.session_id))

    def _on_connected(self, frame: Frame) -> None:
        self.state = CONNECTED
        self._settled.set()
        self._emit(
            Connected(
                self.session_id,
                phone=str(frame["phone"]),
                push_name=str(frame.get("push_name") or ""),
                jid=str(frame["jid"]),
            )
        )

    def _on_logged_out(self, frame: Frame) -> None:
        reason = str(frame.get("reason"))
        # "device not registered": the network does not know the saved device (a simulator
        # restarted without its state); it does not say the phone unlinked it.
        unlinked = reason != UNKNOWN_DEVICE
        self.end(LoggedOut(self.session_id, reason=reason, unlinked=unlinked), logged_out=True)

    def _on_replaced(self, frame: Frame) -> None:
        reason = "replaced by another connection of the same device"
        self.end(Disconnected(self.session_id, reason=reason, will_retry=False))

    def _on_message(self, frame: Frame) -> None:
        self._deliver(events.message_event(self.session_id, frame), frame)

    def _on_receipt(self, frame: Frame) -> None:
        self._deliver(events.receipt_event(self.session_id, frame), frame)

    def _on_presence(self, frame: Frame) -> None:
        self._emit(events.presence_event(self.session_id, frame))

    def _on_reply(self, frame: Frame) -> None:
        req_id = frame.get("id")
        reply = self._replies.get(req_id) if isinstance(req_id, int) else None
        if reply is not None and not reply.done():
            reply.set_result(frame)

    # --- helpers -------------------------------------------------------------------------

    def _emit(self, event: GatewayEvent) -> None:
        try:
            self._sink(event)
        except Exception:
            log.exception("session %s: event sink failed on %s", self.session_id, event)

    def _deliver(self, event: GatewayEvent, frame: Frame) -> None:
        """Hand an inbound event to the sink; ack it once the sink's outcome says stored."""
        try:
            outcome = self._sink(event)
        except Exception:
            log.exception("session %s: event sink failed on %s", self.session_id, event)
            self._acks.failed(frame)
            return
        self._acks.deliver(frame, outcome)

    def _push(self, frame: Frame) -> bool:
        return self._writer is not None and self._writer.push(frame)


def _error_for(frame: Frame) -> GatewayError:
    code, detail = frame.get("error"), str(frame.get("detail") or frame.get("error"))
    if code == INVALID_RECIPIENT:
        return InvalidRecipient(detail)
    if code == NOT_LOGGED_IN:
        return NotLoggedIn(detail)
    return RequestRefused(f"{code}: {detail}")
