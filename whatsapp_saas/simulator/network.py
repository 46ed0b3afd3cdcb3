"""The simulated WhatsApp network: who is linked, who is online, what waits for delivery.

Everything runs on the simulator's event loop, so no locks. Message flows live in
:mod:`whatsapp_saas.simulator.messaging`; this module keeps the registry and device life cycle.

Linking a business phone that already has a device *replaces* that device: the old one is
revoked (its session gets ``LoggedOut``), so each business phone has at most one live device and
its inbound queue has exactly one consumer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whatsapp_saas.simulator.connection import Connection, Link
from whatsapp_saas.simulator.ids import iso, new_device_id, new_event_key, new_secret
from whatsapp_saas.simulator.linking import LinkingDesk, QrSettings
from whatsapp_saas.simulator.model import Device, Media, Phone
from whatsapp_saas.simulator.protocol import UNKNOWN_DEVICE, Frame

UNLINKED_FROM_PHONE = "unlinked from phone"
LOGGED_OUT_BY_USER = "logged out by user"
REPLACED_BY_NEW_DEVICE = "replaced by a newly linked device"


class Network:
    def __init__(self, qr: QrSettings | None = None) -> None:
        self.desk = LinkingDesk(qr or QrSettings(), self._link)
        self.devices: dict[str, Device] = {}
        self.phones: dict[str, Phone] = {}
        self.media: dict[str, Media] = {}
        self.lids: dict[str, str] = {}  # LID -> phone
        self.connections: set[Connection] = set()
        self.online: dict[str, Connection] = {}  # business phone -> its logged-in socket
        # Called after every change worth persisting; urgent=True for device changes.
        self.on_change: Callable[[bool], None] = lambda urgent: None

    # --- registry ------------------------------------------------------------------------

    def phone(self, number: str) -> Phone:
        found = self.phones.get(number)
        if found is None:
            found = self.phones[number] = Phone(number=number)
        return found

    def active_device(self, phone: str) -> Device | None:
        for device in self.devices.values():
            if device.phone == phone and device.revoked is None:
                return device
        return None

    def add_media(self, media: Media) -> Media:
        self.media[media.media_id] = media
        return media

    # --- driver connections --------------------------------------------------------------

    def open(self, hello: Frame, link: Link) -> Connection:
        """A driver said hello: resume its device, or start waiting for a QR scan."""
        conn = Connection(
            session_id=str(hello.get("session_id", "")),
            device_name=str(hello.get("device_name") or "WhatsApp SaaS"),
            link=link,
        )
        self.connections.add(conn)
        creds = hello.get("credentials")
        if not creds:
            self.desk.begin(conn)
            return conn
        device = self.devices.get(str(creds.get("device_id")))
        if device is None or device.secret != creds.get("secret"):
            conn.end({"type": "logged_out", "reason": UNKNOWN_DEVICE})
        elif device.revoked is not None:
            conn.end({"type": "logged_out", "reason": device.revoked})
        else:
            self._go_online(conn, device)
        return conn

    def closed(self, conn: Connection) -> None:
        """The socket is gone, whoever closed it."""
        self.desk.end(conn)
        conn.state = "closed"
        self.connections.discard(conn)
        if conn.device is not None and self.online.get(conn.device.phone) is conn:
            del self.online[conn.device.phone]

    def _link(self, conn: Connection, phone: str, push_name: str | None) -> Device:
        previous = self.active_device(phone)
        if previous is not None:
            self.revoke(previous, REPLACED_BY_NEW_DEVICE)
        device = Device(
            device_id=new_device_id(),
            secret=new_secret(),
            phone=phone,
            push_name=push_name or f"Business {phone}",
            session_id=conn.session_id,
            device_name=conn.device_name,
        )
        self.devices[device.device_id] = device
        self.phone(phone).push_name = device.push_name
        conn.push({"type": "paired", "credentials": device.credentials()})
        self._go_online(conn, device)
        self.on_change(True)
        return device

    def _go_online(self, conn: Connection, device: Device) -> None:
        stale = self.online.get(device.phone)
        if stale is not None and stale is not conn:
            # Same device connected twice (e.g. a failover): the newest socket wins.
            stale.end({"type": "replaced"})
            self.closed(stale)
        conn.state, conn.device = "linked", device
        self.online[device.phone] = conn
        conn.push(
            {
                "type": "connected",
                "phone": device.phone,
                "push_name": device.push_name,
                "jid": device.jid,
            }
        )
        for key, frame in self.phone(device.phone).pending.items():
            conn.push({**frame, "key": key})

    # --- device life cycle ---------------------------------------------------------------

    def revoke(self, device: Device, reason: str) -> None:
        device.revoked = reason
        conn = self.online.get(device.phone)
        if conn is not None and conn.device is device:
            conn.end({"type": "logged_out", "reason": reason})
            self.closed(conn)
        self.on_change(True)

    def unlink(self, phone: str) -> bool:
        device = self.active_device(phone)
        if device is None:
            return False
        self.revoke(device, UNLINKED_FROM_PHONE)
        return True

    def logout(self, device_id: str, secret: str) -> bool:
        device = self.devices.get(device_id)
        if device is None or device.secret != secret:
            return False
        if device.revoked is None:
            self.revoke(device, LOGGED_OUT_BY_USER)
        return True

    def drop(self, phone: str) -> int:
        """The network loses the phone's sockets; drivers must notice and reconnect."""
        dropped = [c for c in self.connections if c.device and c.device.phone == phone]
        for conn in dropped:
            conn.end()
            self.closed(conn)
        return len(dropped)

    # --- delivery to business sessions ---------------------------------------------------

    def enqueue(self, business: str, frame: Frame) -> None:
        """Queue an event for a business phone's device; push it now if the device is online."""
        key = new_event_key()
        self.phone(business).pending[key] = frame
        conn = self.online.get(business)
        if conn is not None:
            conn.push({**frame, "key": key})
        self.on_change(False)

    def ack(self, conn: Connection, keys: list[str]) -> None:
        if conn.device is None:
            return
        pending = self.phone(conn.device.phone).pending
        for key in keys:
            pending.pop(key, None)
        self.on_change(False)

    # --- views ---------------------------------------------------------------------------

    def sessions(self) -> list[dict[str, Any]]:
        live = [self._describe(c) for c in self.connections if c.state != "closed"]
        online_ids = {c.device.device_id for c in self.connections if c.device}
        offline = [
            _describe_device(d)
            for d in self.devices.values()
            if d.revoked is None and d.device_id not in online_ids
        ]
        return live + offline

    @staticmethod
    def _describe(conn: Connection) -> dict[str, Any]:
        device = conn.device
        return {
            "session_id": conn.session_id,
            "state": "waiting" if conn.state == "waiting" else "connected",
            "phone": device.phone if device else None,
            "device_id": device.device_id if device else None,
            "device_name": conn.device_name,
            "qr": conn.qr,
            "qr_expires_at": iso(conn.qr_expires_at) if conn.qr_expires_at else None,
        }

    def reset(self) -> None:
        for conn in list(self.connections):
            conn.end()
            self.closed(conn)
        self.devices.clear()
        self.phones.clear()
        self.media.clear()
        self.lids.clear()
        self.on_change(True)


def _describe_device(device: Device) -> dict[str, Any]:
    return {
        "session_id": device.session_id,
        "state": "offline",
        "phone": device.phone,
        "device_id": device.device_id,
        "device_name": device.device_name,
        "qr": None,
        "qr_expires_at": None,
    }
