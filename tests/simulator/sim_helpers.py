"""Helpers for the simulator tests: a recording sink, phone numbers, linking a session."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from whatsapp_saas.simulator import SimulatorClient
from whatsapp_saas.whatsapp.drivers.simulator import SimulatorGateway
from whatsapp_saas.whatsapp.drivers.simulator_session import Backoff, Timeouts
from whatsapp_saas.whatsapp.gateway import Connected, GatewayEvent, QrCodeIssued, SessionSpec

BUSINESS = "+5511999990000"
CUSTOMER = "+5511988887777"

E = TypeVar("E", bound=GatewayEvent)


@dataclass
class Recorder:
    """An event sink; ``wait_for`` returns the next matching event not yet consumed."""

    events: list[GatewayEvent] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _seen: int = 0

    def __call__(self, event: GatewayEvent) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(
        self, kind: type[E], where: Callable[[E], bool] = lambda e: True, timeout: float = 5.0
    ) -> E:
        async def scan() -> E:
            while True:
                for index in range(self._seen, len(self.events)):
                    event = self.events[index]
                    if isinstance(event, kind) and where(event):
                        self._seen = index + 1
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(scan(), timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_gateway(url: str) -> SimulatorGateway:
    # Short backoff so reconnect tests stay fast.
    return SimulatorGateway(url, backoff=Backoff(initial=0.05, cap=0.5), timeouts=Timeouts(5, 5))


async def link_session(
    gateway: SimulatorGateway,
    client: SimulatorClient,
    spec: SessionSpec,
    sink: Recorder,
    phone: str = BUSINESS,
) -> Connected:
    """Start ``spec`` unpaired and link it by scanning its first QR code."""
    await gateway.start(spec, sink)
    qr = await sink.wait_for(QrCodeIssued)
    await client.link(qr.code, phone)
    return await sink.wait_for(Connected)
