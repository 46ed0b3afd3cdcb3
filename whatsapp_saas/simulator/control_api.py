"""The control API tests and demos use to play the phones: JSON over HTTP under ``/sim``."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from whatsapp_saas import phones
from whatsapp_saas.simulator import messaging
from whatsapp_saas.simulator.driver_api import NETWORK
from whatsapp_saas.simulator.model import Device
from whatsapp_saas.simulator.network import Network

Body = TypeVar("Body", bound=BaseModel)
routes = web.RouteTableDef()


class LinkBody(BaseModel):
    qr: str
    phone: str
    push_name: str | None = None


class PairBody(BaseModel):
    phone: str
    code: str
    push_name: str | None = None


class MediaBody(BaseModel):
    kind: str
    mimetype: str = "application/octet-stream"
    filename: str | None = None
    data_b64: str
    voice_note: bool = False


class MessageBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(alias="from")
    to: str
    text: str = ""
    push_name: str | None = None
    media: MediaBody | None = None
    quoted_id: str | None = None
    lid: str | None = None
    only_lid: bool = False
    id: str | None = None  # lets a test replay the same message id


class BatchBody(BaseModel):
    messages: list[MessageBody]


class ReceiptsBody(BaseModel):
    phone: str
    message_ids: list[str]
    kind: str = "delivered"


class TypingBody(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(alias="from")
    to: str
    typing: bool = True
    recording: bool = False


def _error(status: type[web.HTTPException], message: str) -> web.HTTPException:
    return status(text=json.dumps({"error": message}), content_type="application/json")


async def _body(request: web.Request, model: type[Body]) -> Body:
    try:
        return model.model_validate(await request.json())
    except (ValueError, ValidationError) as exc:
        raise _error(web.HTTPBadRequest, str(exc)) from exc


def _phone(value: str) -> str:
    phone = phones.to_e164(value, None, valid=False)
    if phone is None:
        raise _error(web.HTTPBadRequest, f"not a phone number: {value!r}")
    return phone


def _net(request: web.Request) -> Network:
    return request.app[NETWORK]


def _linked(device: Device) -> web.Response:
    return web.json_response(
        {
            "session_id": device.session_id,
            "device_id": device.device_id,
            "phone": device.phone,
            "jid": device.jid,
            "push_name": device.push_name,
        }
    )


@routes.post("/sim/link")
async def link(request: web.Request) -> web.Response:
    body = await _body(request, LinkBody)
    device = _net(request).desk.scan(body.qr, _phone(body.phone), body.push_name)
    if device is None:
        raise _error(web.HTTPNotFound, "unknown or expired QR code")
    return _linked(device)


@routes.post("/sim/qr/expire")
async def expire_qr(request: web.Request) -> web.Response:
    """Tests and demos: make the session showing this QR code time out now."""
    body = await request.json()
    if not _net(request).desk.time_out(str(body.get("qr", ""))):
        raise _error(web.HTTPNotFound, "unknown or expired QR code")
    return web.json_response({"ok": True})


@routes.post("/sim/pair")
async def pair(request: web.Request) -> web.Response:
    body = await _body(request, PairBody)
    device = _net(request).desk.enter_code(_phone(body.phone), body.code, body.push_name)
    if device is None:
        raise _error(web.HTTPNotFound, "unknown pairing code for this phone")
    return _linked(device)


def _deliver(net: Network, body: MessageBody) -> str:
    try:
        media = messaging.media_from_payload(body.media.model_dump()) if body.media else None
        return messaging.customer_message(
            net,
            sender=_phone(body.sender),
            to=_phone(body.to),
            text=body.text,
            push_name=body.push_name,
            media=media,
            quoted_id=body.quoted_id,
            lid=body.lid,
            only_lid=body.only_lid,
            message_id=body.id,
        )
    except messaging.NotLinked as exc:
        raise _error(web.HTTPNotFound, f"{exc} has no linked device") from exc
    except ValueError as exc:
        raise _error(web.HTTPBadRequest, str(exc)) from exc


@routes.post("/sim/messages")
async def send_message(request: web.Request) -> web.Response:
    body = await _body(request, MessageBody)
    return web.json_response({"id": _deliver(_net(request), body)})


@routes.post("/sim/messages/batch")
async def send_messages(request: web.Request) -> web.Response:
    """Many customer messages in one request, for load generators."""
    body = await _body(request, BatchBody)
    net = _net(request)
    return web.json_response({"ids": [_deliver(net, item) for item in body.messages]})


@routes.get("/sim/phones/{phone}/messages")
async def phone_messages(request: web.Request) -> web.Response:
    phone = _net(request).phones.get(_phone(request.match_info["phone"]))
    if phone is None:
        return web.json_response({"messages": [], "duplicates": 0})
    messages = [msg.to_api() for msg in phone.inbox.values()]
    return web.json_response({"messages": messages, "duplicates": phone.duplicates})


@routes.get("/sim/phones/{phone}/read-receipts")
async def read_receipts(request: web.Request) -> web.Response:
    """Read receipts businesses sent for this phone's messages (driver ``mark_read``)."""
    phone = _net(request).phones.get(_phone(request.match_info["phone"]))
    receipts = phone.read_receipts if phone else []
    ids = list(dict.fromkeys(i for r in receipts for i in r["message_ids"]))
    return web.json_response({"receipts": receipts, "message_ids": ids})


@routes.get("/sim/phones/{phone}")
async def phone_summary(request: web.Request) -> web.Response:
    net = _net(request)
    number = _phone(request.match_info["phone"])
    phone = net.phones.get(number)
    device = net.active_device(number)
    return web.json_response(
        {
            "phone": number,
            "push_name": phone.push_name if phone else "",
            "lid": phone.lid if phone else None,
            "linked": device is not None,
            "online": number in net.online,
            "device_id": device.device_id if device else None,
            "received": len(phone.inbox) if phone else 0,
            "duplicates": phone.duplicates if phone else 0,
            "pending": len(phone.pending) if phone else 0,
            "typing_from": phone.typing_from if phone else {},
        }
    )


@routes.post("/sim/receipts")
async def receipts(request: web.Request) -> web.Response:
    body = await _body(request, ReceiptsBody)
    if body.kind not in messaging.RECEIPT_KINDS:
        raise _error(web.HTTPBadRequest, f"unknown receipt kind {body.kind!r}")
    unknown = messaging.customer_receipts(
        _net(request), _phone(body.phone), body.message_ids, body.kind
    )
    if body.message_ids and len(unknown) == len(body.message_ids):
        raise _error(web.HTTPNotFound, "the phone received none of these messages")
    return web.json_response({"ok": True, "unknown": unknown})


@routes.post("/sim/typing")
async def typing(request: web.Request) -> web.Response:
    body = await _body(request, TypingBody)
    try:
        delivered = messaging.customer_typing(
            _net(request), _phone(body.sender), _phone(body.to), body.typing, body.recording
        )
    except messaging.NotLinked as exc:
        raise _error(web.HTTPNotFound, f"{exc} has no linked device") from exc
    return web.json_response({"delivered": delivered})


@routes.post("/sim/phones/{phone}/unlink")
async def unlink(request: web.Request) -> web.Response:
    if not _net(request).unlink(_phone(request.match_info["phone"])):
        raise _error(web.HTTPNotFound, "no linked device for this phone")
    return web.json_response({"ok": True})


@routes.post("/sim/phones/{phone}/drop")
async def drop(request: web.Request) -> web.Response:
    net = _net(request)
    number = _phone(request.match_info["phone"])
    if net.active_device(number) is None:
        raise _error(web.HTTPNotFound, "no linked device for this phone")
    return web.json_response({"dropped": net.drop(number)})


@routes.get("/sim/media/{media_id}")
async def media(request: web.Request) -> web.Response:
    found = _net(request).media.get(request.match_info["media_id"])
    if found is None:
        raise _error(web.HTTPNotFound, "media not found")
    return web.Response(body=found.data, content_type=found.mimetype)


@routes.get("/sim/health")
async def health(request: web.Request) -> web.Response:
    net = _net(request)
    stats: dict[str, Any] = {
        "ok": True,
        "connections": len(net.connections),
        "online": len(net.online),
        "devices": sum(1 for d in net.devices.values() if d.revoked is None),
    }
    return web.json_response(stats)


@routes.get("/sim/sessions")
async def sessions(request: web.Request) -> web.Response:
    return web.json_response({"sessions": _net(request).sessions()})


@routes.post("/sim/reset")
async def reset(request: web.Request) -> web.Response:
    _net(request).reset()
    return web.json_response({"ok": True})
