"""Message flows across the network: customer phones <-> business sessions."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from whatsapp_saas import phones
from whatsapp_saas.simulator.connection import Connection
from whatsapp_saas.simulator.ids import iso, new_lid_user, new_media_id, new_message_id, utc_now
from whatsapp_saas.simulator.model import Device, Media, Phone, Received
from whatsapp_saas.simulator.network import Network

MEDIA_KINDS = frozenset({"image", "audio", "video", "document", "sticker"})
RECEIPT_KINDS = frozenset({"delivered", "read", "played"})


class RecipientError(Exception):
    """The address is not a WhatsApp account this network knows or could know."""


class NotLinked(Exception):
    """The business number has no linked device."""


def media_from_payload(payload: dict[str, Any]) -> Media:
    """Build an attachment from ``{kind, mimetype, filename?, data_b64, voice_note?, seconds?}``."""
    kind = str(payload.get("kind", ""))
    if kind not in MEDIA_KINDS:
        raise ValueError(f"unknown media kind {kind!r}")
    try:
        data = base64.b64decode(str(payload.get("data_b64", "")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("data_b64 is not valid base64") from exc
    return Media(
        media_id=new_media_id(),
        kind=kind,
        mimetype=str(payload.get("mimetype") or "application/octet-stream"),
        data=data,
        filename=payload.get("filename"),
        voice_note=bool(payload.get("voice_note", False)),
        seconds=_seconds(payload.get("seconds")),
    )


def _seconds(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def resolve_recipient(net: Network, address: str) -> str:
    """The phone behind a "+55...", phone JID or known LID; RecipientError otherwise."""
    if phones.is_lid(address):
        phone = net.lids.get(phones.parse_lid(address) or "")
        if phone is None:
            raise RecipientError(f"unknown LID {address}")
        return phone
    phone = phones.to_e164(address, None, valid=False)
    if phone is None:
        raise RecipientError(f"not a phone number: {address}")
    if phone not in net.phones and phones.to_e164(phone, None) is None:
        raise RecipientError(f"{phone} is not on WhatsApp")
    return phone


# --- customer phone -> business session ---------------------------------------------------


def customer_message(
    net: Network,
    *,
    sender: str,
    to: str,
    text: str,
    push_name: str | None = None,
    media: Media | None = None,
    quoted_id: str | None = None,
    lid: str | None = None,
    only_lid: bool = False,
    message_id: str | None = None,
) -> str:
    """A customer writes to a linked business number; returns the message id."""
    if net.active_device(to) is None:
        raise NotLinked(to)
    customer = net.phone(sender)
    if push_name:
        customer.push_name = push_name
    sender_lid = _sender_lid(net, customer, lid, only_lid)
    sender_jid = None if only_lid else phones.to_jid(sender)
    if media is not None:
        net.add_media(media)
    received = Received(
        id=message_id or new_message_id(),
        sender=sender,
        text=text,
        timestamp=utc_now(),
        media=media,
        quoted_id=quoted_id,
    )
    _record(net.phone(to), received)
    frame = {
        "type": "message",
        "id": received.id,
        "chat": sender_jid or sender_lid,
        "sender_jid": sender_jid,
        "sender_lid": sender_lid,
        "push_name": customer.push_name,
        "timestamp": iso(received.timestamp),
        "text": text,
        "media": media.ref() if media else None,
        "quoted_id": quoted_id,
    }
    # A replayed id is delivered again on purpose: tests use it to check the app dedupes.
    net.enqueue(to, frame)
    return str(frame["id"])


def _record(phone: Phone, received: Received) -> None:
    """Keep what a phone received; a repeated id is counted, not listed again."""
    if received.id in phone.inbox:
        phone.duplicates += 1
    else:
        phone.inbox[received.id] = received


def _sender_lid(net: Network, customer: Phone, lid: str | None, only_lid: bool) -> str | None:
    if lid is not None:
        parsed = phones.parse_lid(lid)
        if parsed is None:
            raise ValueError(f"not a LID: {lid!r}")
        customer.lid = parsed
    elif only_lid and customer.lid is None:
        customer.lid = f"{new_lid_user()}@lid"
    elif not only_lid:
        return None
    assert customer.lid is not None
    net.lids[customer.lid] = customer.number
    return customer.lid


def customer_receipts(net: Network, phone: str, message_ids: list[str], kind: str) -> list[str]:
    """The customer's phone reports delivered/read; returns the ids it never received."""
    customer = net.phones.get(phone)
    by_sender: dict[str, list[str]] = {}
    unknown: list[str] = []
    for message_id in message_ids:
        received = customer.inbox.get(message_id) if customer else None
        if received is None:
            unknown.append(message_id)
        else:
            by_sender.setdefault(received.sender, []).append(message_id)
    for business, ids in by_sender.items():
        if net.active_device(business) is not None:
            net.enqueue(
                business,
                {
                    "type": "receipt",
                    "kind": kind,
                    "chat": phones.to_jid(phone),
                    "message_ids": ids,
                    "timestamp": iso(utc_now()),
                },
            )
    return unknown


def customer_typing(net: Network, sender: str, to: str, typing: bool, recording: bool) -> bool:
    """Chat presence is fire-and-forget: it reaches the business only if it is online."""
    if net.active_device(to) is None:
        raise NotLinked(to)
    conn = net.online.get(to)
    if conn is None:
        return False
    chat = phones.to_jid(sender)
    conn.push({"type": "presence", "chat": chat, "typing": typing, "recording": recording})
    return True


# --- business session -> customer phone ---------------------------------------------------


def business_send(net: Network, device: Device, frame: dict[str, Any]) -> datetime:
    """Record an outbound message on the recipient's phone; a repeated id counts a duplicate."""
    recipient = resolve_recipient(net, str(frame.get("to", "")))
    message_id = str(frame["message_id"])
    target = net.phone(recipient)
    existing = target.inbox.get(message_id)
    if existing is not None:
        target.duplicates += 1
        net.on_change(False)
        return existing.timestamp
    media = media_from_payload(frame["media"]) if frame.get("media") else None
    caption = frame["media"].get("caption") if media is not None else None
    if media is not None:
        net.add_media(media)
    received = Received(
        id=message_id,
        sender=device.phone,
        text=str(frame.get("text") or caption or ""),
        timestamp=utc_now(),
        media=media,
        quoted_id=frame.get("quoted_id"),
    )
    target.inbox[message_id] = received
    _forward_to_business(net, device, recipient, received)
    net.on_change(False)
    return received.timestamp


def _forward_to_business(net: Network, device: Device, recipient: str, msg: Received) -> None:
    """A business writing to another linked number: that session receives it as inbound."""
    if recipient == device.phone or net.active_device(recipient) is None:
        return
    net.enqueue(
        recipient,
        {
            "type": "message",
            "id": msg.id,
            "chat": device.jid,
            "sender_jid": device.jid,
            "sender_lid": None,
            "push_name": device.push_name,
            "timestamp": iso(msg.timestamp),
            "text": msg.text,
            "media": msg.media.ref() if msg.media else None,
            "quoted_id": msg.quoted_id,
        },
    )


def business_mark_read(net: Network, device: Device, chat: str, message_ids: list[str]) -> None:
    customer = net.phone(resolve_recipient(net, chat))
    customer.read_receipts.append(
        {"by": device.phone, "message_ids": list(message_ids), "timestamp": iso(utc_now())}
    )
    net.on_change(False)


def business_typing(net: Network, device: Device, chat: str, typing: bool) -> None:
    net.phone(resolve_recipient(net, chat)).typing_from[device.phone] = typing


def linked_device(conn: Connection) -> Device | None:
    return conn.device if conn.state == "linked" else None
