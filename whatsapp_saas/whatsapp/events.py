"""Domain events of the WhatsApp domain: frozen, past tense, published after commit.

State events (:class:`NumberStateChanged`, :class:`QrCodeUpdated`) are announced with
:func:`whatsapp_saas.db.announce_after_commit` once the row is written, so a browser never
hears of a state the database does not hold.

Inbound traffic (messages, receipts, typing) goes through ONE hook, the :data:`InboundSink`,
given to each manager node when it is built: :func:`whatsapp_saas.bootstrap.bootstrap` passes
the inbox's ingest pipeline (ingest, commit, then announce). A node built without one (a test
of the connection manager alone) drops them (:func:`discard_inbound`): nothing on the bus
listens to raw inbound traffic, the ingest pipeline announces what it stored.

A sink may return a :data:`Committed` future instead of None: it resolves True once the event
is committed (or deliberately not stored), False if it could not be stored. The connection
manager acknowledges the event to the network only then, so a crash before the commit loses
nothing (the network redelivers). None means the sink is done with the event when it returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from whatsapp_saas.whatsapp import gateway as gw

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NumberEvent:
    tenant_id: int
    number_id: int


@dataclass(frozen=True, slots=True)
class QrCodeUpdated(NumberEvent):
    """A new QR code to show; ``code`` is the exact text to render (never log it).

    Live only, never stored in the events table: the code is a short-lived secret (whoever
    holds it can link the number), it changes every few seconds while a number waits, and the
    number's row already holds the current one. :class:`NumberStateChanged` (to
    ``waiting_qr``) is the durable fact.
    """

    live_only: ClassVar[bool] = True
    code: str
    expires_at: datetime

    def __repr__(self) -> str:  # keep the code out of logs and tracebacks
        return f"QrCodeUpdated(tenant_id={self.tenant_id}, number_id={self.number_id})"


@dataclass(frozen=True, slots=True)
class QrUpdated(QrCodeUpdated):
    """The past-tense name the spine uses; what the connection manager emits."""

    def __repr__(self) -> str:
        return f"QrUpdated(tenant_id={self.tenant_id}, number_id={self.number_id})"


@dataclass(frozen=True, slots=True)
class NumberWakeRequested(NumberEvent):
    """Someone changed what they want of the number (connect, disconnect, …): the managers
    should look now rather than at their next tick. Live only: the row is the durable fact,
    and a lost wake-up costs latency (see ``whatsapp/handlers.py``)."""

    live_only: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class NumberStateChanged(NumberEvent):
    state: str  # a NumberState value
    reason: str | None
    at: datetime
    phone: str | None = None
    push_name: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessageArrived(NumberEvent):
    message: gw.MessageReceived


@dataclass(frozen=True, slots=True)
class ReceiptArrived(NumberEvent):
    receipt: gw.ReceiptReceived


@dataclass(frozen=True, slots=True)
class TypingChanged(NumberEvent):
    chat: str
    typing: bool
    recording: bool = False


InboundEvent = InboundMessageArrived | ReceiptArrived | TypingChanged
Committed = asyncio.Future[bool]
InboundSink = Callable[[InboundEvent], Awaitable[Committed | None]]


async def discard_inbound(event: InboundEvent) -> None:
    """The sink of a node built without one: nothing stores the event, so it is dropped."""
    log.debug("no inbound sink: %s dropped", type(event).__name__)


def to_inbound(tenant_id: int, number_id: int, event: gw.GatewayEvent) -> InboundEvent | None:
    """The domain event for an inbound gateway event, or None for non-inbound ones."""
    if isinstance(event, gw.MessageReceived):
        return InboundMessageArrived(tenant_id, number_id, event)
    if isinstance(event, gw.ReceiptReceived):
        return ReceiptArrived(tenant_id, number_id, event)
    if isinstance(event, gw.ChatPresenceChanged):
        return TypingChanged(tenant_id, number_id, event.chat, event.typing, event.recording)
    return None
