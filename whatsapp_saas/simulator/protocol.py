"""The wire protocol between the simulator and its driver: JSON frames over one websocket.

Each websocket text message holds one frame (a JSON object) or a batch of frames (a JSON
array); batching is what keeps thousands of messages a second cheap.

Driver -> simulator
  hello   {session_id, device_name, credentials: {device_id, secret} | null}   (first frame)
  req     {id, op, ...}  ops: send, pair_code, download, mark_read, typing, logout
  ack     {keys: [...]}  inbound events the app has committed (the driver acks nothing
                         sooner); every unacked one is redelivered on each (re)connect

Simulator -> driver
  qr          {code, expires_at}        qr_timeout {}
  paired      {credentials: {device_id, secret, phone, push_name, jid}}
  connected   {phone, push_name, jid}   logged_out {reason}   replaced {}
  message     {key, id, chat, sender_jid, sender_lid, push_name, timestamp, text, media, quoted_id}
  receipt     {key, kind, chat, message_ids, timestamp}
  presence    {chat, typing, recording}
  reply       {id, ok, error?, detail?, ...result}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from typing import Any, Protocol

log = logging.getLogger(__name__)

Frame = dict[str, Any]

WS_PATH = "/driver/ws"
LOGOUT_PATH = "/driver/logout"
# Media travels inline as base64; WhatsApp's own limit for documents is 2 GB, ours is smaller.
MAX_MESSAGE_BYTES = 128 * 1024 * 1024
HEARTBEAT_SECONDS = 15.0
MAX_BATCH = 256
# logged_out reason for credentials the network does not know (never linked, or forgotten):
# unlike the revocation reasons, it does not mean that the phone unlinked the device.
UNKNOWN_DEVICE = "device not registered"

# Error codes carried by failed replies.
INVALID_RECIPIENT = "invalid_recipient"
NOT_LOGGED_IN = "not_logged_in"
NOT_WAITING = "not_waiting"
NOT_FOUND = "not_found"
BAD_REQUEST = "bad_request"


def encode(frames: list[Frame]) -> str:
    return json.dumps(frames[0] if len(frames) == 1 else frames, separators=(",", ":"))


def decode(text: str) -> list[Frame]:
    data = json.loads(text)
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]


def reply_ok(req_id: Any, **result: Any) -> Frame:
    return {"type": "reply", "id": req_id, "ok": True, **result}


def reply_error(req_id: Any, error: str, detail: str = "") -> Frame:
    return {"type": "reply", "id": req_id, "ok": False, "error": error, "detail": detail}


class WebSocketLike(Protocol):
    async def send_str(self, data: str, compress: int | None = None) -> None: ...

    async def close(self, *, code: int = ..., message: bytes = ...) -> bool: ...


class FrameWriter:
    """Sends frames in order from one task, batching whatever queued up meanwhile.

    Callers never await a socket write, so a slow peer cannot stall the code that produces
    frames, and ordering ("paired" before "connected") holds without locks.
    """

    def __init__(self, ws: WebSocketLike) -> None:
        self._ws = ws
        self._queue: deque[Frame] = deque()
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    def push(self, frame: Frame) -> bool:
        if self._closing:
            return False
        self._queue.append(frame)
        self._wake.set()
        return True

    def close_after_flush(self) -> None:
        """Send what is queued, then close the socket."""
        self._closing = True
        self._wake.set()

    async def stop(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                await self._flush()
                if self._closing:
                    await self._ws.close()
                    return
        except (ConnectionError, RuntimeError) as exc:
            # The reader side notices the dead socket and handles it; nothing to do here.
            log.debug("websocket writer stopped: %s", exc)

    async def _flush(self) -> None:
        while self._queue:
            count = min(len(self._queue), MAX_BATCH)
            batch = [self._queue.popleft() for _ in range(count)]
            await self._ws.send_str(encode(batch))
