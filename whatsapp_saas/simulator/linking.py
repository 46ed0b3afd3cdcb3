"""How a waiting session becomes a linked device: rotating QR codes and pairing codes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from whatsapp_saas.simulator.connection import Connection
from whatsapp_saas.simulator.ids import (
    iso,
    new_pairing_code,
    new_qr_text,
    normalize_pairing_code,
    utc_now,
)

if TYPE_CHECKING:
    from whatsapp_saas.simulator.model import Device


@dataclass(frozen=True, slots=True)
class QrSettings:
    """WhatsApp's rhythm: the first code lives 60 s, the next ones 20 s, six codes in all."""

    first_ttl: float = 60.0
    ttl: float = 20.0
    max_codes: int = 6


LinkCallback = Callable[[Connection, str, "str | None"], "Device"]


class LinkingDesk:
    """Issues QR and pairing codes for waiting connections and redeems them."""

    def __init__(self, settings: QrSettings, on_link: LinkCallback) -> None:
        self.settings = settings
        self._on_link = on_link
        self._qr: dict[str, Connection] = {}
        self._pairing: dict[str, tuple[Connection, str]] = {}

    def begin(self, conn: Connection) -> None:
        conn.qr_task = asyncio.get_running_loop().create_task(self._rotate(conn))

    def end(self, conn: Connection) -> None:
        if conn.qr_task is not None and conn.qr_task is not asyncio.current_task():
            conn.qr_task.cancel()
        conn.qr_task = None
        if conn.qr is not None:
            self._qr.pop(conn.qr, None)
        conn.qr = conn.qr_expires_at = None
        for code in [c for c, (owner, _) in self._pairing.items() if owner is conn]:
            del self._pairing[code]

    def scan(self, qr: str, phone: str, push_name: str | None) -> Device | None:
        conn = self._qr.get(qr.strip())
        if conn is None or conn.state != "waiting":
            return None
        return self._link(conn, phone, push_name)

    def time_out(self, qr: str) -> bool:
        """End the QR cycle of the session showing ``qr`` now, as if every code expired."""
        conn = self._qr.get(qr.strip())
        if conn is None or conn.state != "waiting":
            return False
        self.end(conn)
        conn.end({"type": "qr_timeout"})
        return True

    def request_code(self, conn: Connection, phone: str) -> str:
        code = new_pairing_code()
        self._pairing[normalize_pairing_code(code)] = (conn, phone)
        return code

    def enter_code(self, phone: str, code: str, push_name: str | None) -> Device | None:
        entry = self._pairing.get(normalize_pairing_code(code))
        if entry is None or entry[1] != phone or entry[0].state != "waiting":
            return None
        return self._link(entry[0], phone, push_name)

    def _link(self, conn: Connection, phone: str, push_name: str | None) -> Device:
        self.end(conn)
        return self._on_link(conn, phone, push_name)

    async def _rotate(self, conn: Connection) -> None:
        for number in range(self.settings.max_codes):
            ttl = self.settings.first_ttl if number == 0 else self.settings.ttl
            self._issue(conn, ttl)
            await asyncio.sleep(ttl)
            if conn.qr is not None:
                self._qr.pop(conn.qr, None)
        self.end(conn)
        conn.end({"type": "qr_timeout"})

    def _issue(self, conn: Connection, ttl: float) -> None:
        if conn.qr is not None:
            self._qr.pop(conn.qr, None)
        conn.qr = new_qr_text()
        conn.qr_expires_at = utc_now() + timedelta(seconds=ttl)
        self._qr[conn.qr] = conn
        conn.push({"type": "qr", "code": conn.qr, "expires_at": iso(conn.qr_expires_at)})
