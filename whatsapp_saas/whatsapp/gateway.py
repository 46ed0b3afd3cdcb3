"""The one small interface every WhatsApp engine implements.

A driver hosts any number of sessions. Each session is identified by our own ``session_id``
(the WhatsApp number's row id as a string) and keeps its engine state in one private file,
``store_path``, that the connection manager snapshots (encrypted) into the database and
restores before start. Drivers never touch the database.

Everything the engine reports reaches the manager as a :class:`GatewayEvent` passed to the
``sink`` given at start. Sinks must be cheap and thread-safe: engines call them from their own
threads.

Acknowledging inbound traffic (at-least-once delivery). A driver whose ``deferred_acks`` is
True tells the network it has a message (or receipt) only once the app has committed it: for
:class:`MessageReceived` and :class:`ReceiptReceived` its sink may return an awaitable of
``bool`` instead of None. True: the event is stored, acknowledge it. False: it could not be
stored, keep it unacknowledged (the network redelivers it). None, or a driver without the
capability: the sink's return is the acknowledgement, as before. A crash between the event
and its commit then loses nothing: the network still holds the event and redelivers it, and
ingest dedupes on (number, WhatsApp message id).

neonize cannot do this: whatsmeow sends the delivery receipt to WhatsApp before our Python
callback even runs, so ``NeonizeGateway.deferred_acks`` stays False and an event in flight
during a crash is lost unless WhatsApp's own resync brings it back.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path


class MediaKind(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"


class ReceiptKind(StrEnum):
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"


@dataclass(frozen=True, slots=True)
class MediaRef:
    """Enough to download an inbound attachment later through :meth:`Gateway.download_media`.

    ``locator`` is opaque and engine specific (the serialized engine message for neonize, the
    simulator's media id for the simulator).
    """

    kind: MediaKind
    mimetype: str
    locator: str
    filename: str | None = None
    size: int | None = None
    voice_note: bool = False


@dataclass(frozen=True, slots=True)
class OutboundMedia:
    kind: MediaKind
    data: bytes
    mimetype: str
    filename: str | None = None
    caption: str | None = None
    voice_note: bool = False
    seconds: int | None = None  # audio and video: the duration, when known


# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GatewayEvent:
    session_id: str


@dataclass(frozen=True, slots=True)
class QrCodeIssued(GatewayEvent):
    """A QR code to show; ``code`` is exactly the text the phone must scan."""

    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class QrTimedOut(GatewayEvent):
    """Every QR code expired unscanned; the session stopped waiting."""


@dataclass(frozen=True, slots=True)
class Connected(GatewayEvent):
    phone: str  # E.164, e.g. "+5511999990000"
    push_name: str
    jid: str


@dataclass(frozen=True, slots=True)
class Disconnected(GatewayEvent):
    reason: str
    will_retry: bool


@dataclass(frozen=True, slots=True)
class LoggedOut(GatewayEvent):
    """Terminal: the session ended on WhatsApp's side.

    ``unlinked``: the network says the device was removed (from the phone, by a newer link, by
    a logout): the stored session is worthless now. False when the network only refused the
    saved device at connect without saying why (whatsmeow's "logged out on connect", the
    simulator's "device not registered"): the manager keeps the snapshot and lets the tenant
    decide.
    """

    reason: str
    unlinked: bool = True


@dataclass(frozen=True, slots=True)
class StoreChanged(GatewayEvent):
    """The engine wrote to ``store_path``; the manager snapshots it (debounced)."""


@dataclass(frozen=True, slots=True)
class MessageReceived(GatewayEvent):
    message_id: str
    chat: str  # JID of the chat
    sender_jid: str | None  # phone JID ("5511...@s.whatsapp.net") when known
    sender_lid: str | None  # LID ("123...@lid") when known
    push_name: str
    timestamp: datetime
    text: str
    from_me: bool = False
    is_group: bool = False
    media: MediaRef | None = None
    quoted_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReceiptReceived(GatewayEvent):
    kind: ReceiptKind
    chat: str
    message_ids: tuple[str, ...]
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class ChatPresenceChanged(GatewayEvent):
    chat: str
    typing: bool
    recording: bool = False


# An inbound event's outcome, for drivers with ``deferred_acks``: True once it is committed.
InboundOutcome = Awaitable[bool]
EventSink = Callable[[GatewayEvent], InboundOutcome | None]


# --- errors -------------------------------------------------------------------------------


class GatewayError(Exception):
    """Base for engine failures. ``transient`` tells the caller whether a retry can help."""

    transient = True


class SessionNotRunning(GatewayError):
    transient = True


class InvalidRecipient(GatewayError):
    transient = False


class NotLoggedIn(GatewayError):
    transient = False


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SendResult:
    message_id: str
    timestamp: datetime


@dataclass(slots=True)
class SessionSpec:
    """What a driver needs to run one session."""

    session_id: str
    store_path: Path
    device_name: str = "WhatsApp SaaS"
    extra: dict[str, str] = field(default_factory=dict)


# --- the interface ------------------------------------------------------------------------


class Gateway(abc.ABC):
    """One engine, hosting many sessions in this process.

    ``to`` and ``chat`` arguments are JIDs ("5511999990000@s.whatsapp.net") or E.164 numbers.
    ``message_id`` on sends is fixed by the caller before the first attempt, so a retry after
    a crash repeats the same id and the recipient sees the message once.
    """

    name: str
    # Whether sends really use the caller's ``message_id``. neonize 0.5.2 cannot (WhatsApp picks
    # the id): the delivery layer must then treat a send whose outcome is unknown after a crash
    # as possibly delivered instead of resending it blindly.
    fixed_message_ids: bool = True
    # Whether the engine waits for the sink's outcome before acknowledging inbound events to
    # the network (see the module docstring). Optional: engines that cannot keep False.
    deferred_acks: bool = False

    @abc.abstractmethod
    async def start(self, spec: SessionSpec, sink: EventSink) -> None:
        """Start (or resume, if ``store_path`` holds a paired device) a session."""

    @abc.abstractmethod
    async def stop(self, session_id: str) -> None:
        """Stop a session, keeping its store so it can resume without a new QR."""

    @abc.abstractmethod
    async def logout(self, session_id: str) -> None:
        """Unlink the device on WhatsApp's side and stop; the store becomes worthless."""

    @abc.abstractmethod
    async def request_pairing_code(self, session_id: str, phone: str) -> str:
        """Return the code ("ABCD-EFGH") the user types on the phone instead of a QR."""

    @abc.abstractmethod
    async def send_text(
        self, session_id: str, to: str, text: str, *, message_id: str, quoted_id: str | None = None
    ) -> SendResult: ...

    @abc.abstractmethod
    async def send_media(
        self,
        session_id: str,
        to: str,
        media: OutboundMedia,
        *,
        message_id: str,
        quoted_id: str | None = None,
    ) -> SendResult: ...

    @abc.abstractmethod
    async def download_media(self, session_id: str, ref: MediaRef) -> bytes: ...

    @abc.abstractmethod
    async def mark_read(
        self, session_id: str, chat: str, sender: str | None, message_ids: list[str]
    ) -> None: ...

    @abc.abstractmethod
    async def set_typing(self, session_id: str, chat: str, typing: bool) -> None: ...

    @abc.abstractmethod
    def is_running(self, session_id: str) -> bool:
        """Whether the session is live in this process (used to reconcile stored state)."""

    async def close(self) -> None:  # noqa: B027 - optional hook, not every engine needs it
        """Stop every session; called once at process shutdown."""
