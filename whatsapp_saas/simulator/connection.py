"""A live driver socket as the network sees it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from whatsapp_saas.simulator.model import Device
    from whatsapp_saas.simulator.protocol import Frame


class Link(Protocol):
    """What the network needs from a driver's socket (a FrameWriter fits)."""

    def push(self, frame: Frame) -> bool: ...

    def close_after_flush(self) -> None: ...


@dataclass(eq=False)
class Connection:
    """One live driver socket: waiting for a QR scan, or logged in as a device."""

    session_id: str
    device_name: str
    link: Link
    state: str = "waiting"  # waiting | linked | closed
    device: Device | None = None
    qr: str | None = None
    qr_expires_at: datetime | None = None
    qr_task: asyncio.Task[None] | None = field(default=None, repr=False)

    def push(self, frame: Frame) -> None:
        if self.state != "closed":
            self.link.push(frame)

    def end(self, frame: Frame | None = None) -> None:
        """Send a last frame (if any) and close; the socket handler then calls Network.closed."""
        if frame is not None:
            self.push(frame)
        self.state = "closed"
        self.link.close_after_flush()
