"""The simulator's side of the driver protocol: one websocket per driver session."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from whatsapp_saas import phones
from whatsapp_saas.simulator import messaging
from whatsapp_saas.simulator.connection import Connection
from whatsapp_saas.simulator.ids import iso
from whatsapp_saas.simulator.model import Device
from whatsapp_saas.simulator.network import LOGGED_OUT_BY_USER, Network
from whatsapp_saas.simulator.protocol import (
    BAD_REQUEST,
    HEARTBEAT_SECONDS,
    INVALID_RECIPIENT,
    LOGOUT_PATH,
    MAX_MESSAGE_BYTES,
    NOT_FOUND,
    NOT_LOGGED_IN,
    NOT_WAITING,
    WS_PATH,
    Frame,
    FrameWriter,
    decode,
    reply_error,
    reply_ok,
)

log = logging.getLogger(__name__)

NETWORK = web.AppKey("network", Network)
SOCKETS: web.AppKey[set[web.WebSocketResponse]] = web.AppKey("sockets")


class Refused(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code, self.detail = code, detail


def setup(app: web.Application) -> None:
    app[SOCKETS] = set()
    app.router.add_get(WS_PATH, driver_socket)
    app.router.add_post(LOGOUT_PATH, logout)
    app.on_shutdown.append(_close_sockets)


async def driver_socket(request: web.Request) -> web.WebSocketResponse:
    net = request.app[NETWORK]
    ws = web.WebSocketResponse(
        heartbeat=HEARTBEAT_SECONDS, compress=False, max_msg_size=MAX_MESSAGE_BYTES
    )
    await ws.prepare(request)
    request.app[SOCKETS].add(ws)
    writer = FrameWriter(ws)
    writer.start()
    conn: Connection | None = None
    try:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                conn = _on_text(net, conn, writer, msg.data)
    finally:
        request.app[SOCKETS].discard(ws)
        if conn is not None:
            net.closed(conn)
        await writer.stop()
    return ws


def _on_text(
    net: Network, conn: Connection | None, writer: FrameWriter, text: str
) -> Connection | None:
    try:
        frames = decode(text)
    except ValueError:
        log.warning("driver sent malformed JSON; ignored")
        return conn
    for frame in frames:
        if conn is None:
            if frame.get("type") == "hello":
                conn = net.open(frame, writer)
        elif frame.get("type") == "ack":
            net.ack(conn, [str(k) for k in frame.get("keys", [])])
        elif frame.get("type") == "req":
            _on_request(net, conn, frame)
    return conn


def _on_request(net: Network, conn: Connection, frame: Frame) -> None:
    req_id = frame.get("id")
    handler = HANDLERS.get(str(frame.get("op")))
    try:
        if handler is None:
            raise Refused(BAD_REQUEST, f"unknown op {frame.get('op')!r}")
        result = handler(net, conn, frame)
    except Refused as exc:
        conn.push(reply_error(req_id, exc.code, exc.detail))
    except messaging.RecipientError as exc:
        conn.push(reply_error(req_id, INVALID_RECIPIENT, str(exc)))
    except (KeyError, TypeError, ValueError) as exc:
        conn.push(reply_error(req_id, BAD_REQUEST, repr(exc)))
    else:
        conn.push(reply_ok(req_id, **result))
        if frame.get("op") == "logout" and conn.device is not None:
            # After the reply, so the driver sees its request succeed before the socket closes.
            net.revoke(conn.device, LOGGED_OUT_BY_USER)


def _device(conn: Connection) -> Device:
    device = messaging.linked_device(conn)
    if device is None:
        raise Refused(NOT_LOGGED_IN, "session is not logged in")
    return device


def _send(net: Network, conn: Connection, frame: Frame) -> dict[str, Any]:
    stamp = messaging.business_send(net, _device(conn), frame)
    return {"message_id": frame["message_id"], "timestamp": iso(stamp)}


def _pair_code(net: Network, conn: Connection, frame: Frame) -> dict[str, Any]:
    if conn.state != "waiting":
        raise Refused(NOT_WAITING, "session is not waiting for a login")
    phone = phones.to_e164(str(frame.get("phone", "")), None, valid=False)
    if phone is None:
        raise Refused(INVALID_RECIPIENT, "not a phone number")
    return {"code": net.desk.request_code(conn, phone)}


def _download(net: Network, conn: Connection, frame: Frame) -> dict[str, Any]:
    _device(conn)
    media = net.media.get(str(frame.get("media_id")))
    if media is None:
        raise Refused(NOT_FOUND, "media not found")
    return {"data_b64": base64.b64encode(media.data).decode(), "mimetype": media.mimetype}


def _mark_read(net: Network, conn: Connection, frame: Frame) -> dict[str, Any]:
    ids = [str(i) for i in frame.get("message_ids", [])]
    messaging.business_mark_read(net, _device(conn), str(frame["chat"]), ids)
    return {}


def _typing(net: Network, conn: Connection, frame: Frame) -> dict[str, Any]:
    messaging.business_typing(net, _device(conn), str(frame["chat"]), bool(frame.get("typing")))
    return {}


def _logout(net: Network, conn: Connection, frame: Frame) -> dict[str, Any]:
    _device(conn)
    return {}


HANDLERS: dict[str, Callable[[Network, Connection, Frame], dict[str, Any]]] = {
    "send": _send,
    "pair_code": _pair_code,
    "download": _download,
    "mark_read": _mark_read,
    "typing": _typing,
    "logout": _logout,
}


async def logout(request: web.Request) -> web.Response:
    """Logout for a driver that is offline: it proves the device with its stored secret."""
    body = await request.json()
    ok = request.app[NETWORK].logout(str(body.get("device_id")), str(body.get("secret")))
    if not ok:
        return web.json_response({"error": "unknown device"}, status=404)
    return web.json_response({"ok": True})


async def _close_sockets(app: web.Application) -> None:
    sockets: set[web.WebSocketResponse] = app[SOCKETS]
    for ws in list(sockets):
        await ws.close(code=1001, message=b"simulator shutting down")
