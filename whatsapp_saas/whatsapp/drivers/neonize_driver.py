"""The neonize (whatsmeow) driver: real WhatsApp sessions behind :class:`Gateway`.

Each session run (:class:`.neonize_session.Session`) owns one neonize ``NewClient`` with a
private sqlite store and one thread blocked in ``connect()``; engine callbacks translate
(:mod:`.neonize_translate`) and call the sink. Calls into the engine run on a dedicated thread
pool, each under :data:`ENGINE_LOCK` (:mod:`.neonize_runtime`), so the event loop never blocks
and no two calls race the Go side's unsynchronised maps.

Limits of neonize 0.5.2 that callers must know:

* Message ids cannot be fixed by the caller: 0.5.2's ``SendMessage`` takes no send options, so
  whatsmeow mints the id. :class:`SendResult` carries the id WhatsApp really used and
  ``fixed_message_ids`` is False: a send retried after a crash can reach the recipient twice.
* A session whose QR phase ended unpaired cannot be stopped cleanly (see the session module);
  it is parked, and each parked run keeps two idle threads until the process exits.
* The process must be launched with ``NEONIZE_BOT_TAG=off`` (see :mod:`.neonize_runtime`).
* Inbound events are acknowledged by the engine, not by us: whatsmeow sends the delivery
  receipt to WhatsApp before the Python callback runs, so ``deferred_acks`` is False and a
  message in flight when the manager or the app crashes before its commit is lost unless
  WhatsApp resends it (the simulator driver waits for the commit instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from whatsapp_saas.config import ConfigurationError
from whatsapp_saas.whatsapp.gateway import (
    EventSink,
    Gateway,
    GatewayError,
    InvalidRecipient,
    MediaKind,
    MediaRef,
    NotLoggedIn,
    OutboundMedia,
    SendResult,
    SessionNotRunning,
    SessionSpec,
    StoreChanged,
)

from . import neonize_translate as tr
from .neonize_runtime import engine_bot_tag_disabled, load_neonize, set_engine_log_level
from .neonize_session import Session, SessionSettings, State

load_neonize()  # must run before any neonize import: it contains the import's side effects

from neonize.utils.enum import (  # noqa: E402
    ChatPresence,
    ChatPresenceMedia,
    MediaType,
    ReceiptType,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class PermanentEngineError(GatewayError):
    """The engine refused in a way a retry cannot fix."""

    transient = False


class NeonizeGateway(Gateway):
    """WhatsApp through neonize 0.5.2, any number of sessions in this process."""

    name = "neonize"
    fixed_message_ids = False  # see the module docstring
    deferred_acks = False  # whatsmeow acks before Python sees the message (module docstring)

    def __init__(
        self,
        *,
        connect_attempts: int = 5,
        backoff_base: float = 2.0,
        backoff_cap: float = 60.0,
        registration_window: float = 2.0,
        pairing_qr_wait: float = 20.0,
        stop_timeout: float = 10.0,
        max_workers: int = 16,
        proxy_url: str | None = None,
        verify_recipients: bool = True,
        cache_size: int = 512,
        engine_log_level: int = logging.WARNING,
        require_bot_tag_off: bool = True,
    ) -> None:
        if require_bot_tag_off and not engine_bot_tag_disabled():
            raise ConfigurationError(
                "NEONIZE_BOT_TAG is not off in the environment this process was launched with; "
                "neonize would label every 1:1 message as sent by a bot. Start the process with "
                "NEONIZE_BOT_TAG=off (setting it from Python after start has no effect)."
            )
        if connect_attempts < 1:
            raise ValueError("connect_attempts must be at least 1")
        set_engine_log_level(engine_log_level)
        self.settings = SessionSettings(
            connect_attempts=connect_attempts,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            registration_window=registration_window,
            proxy_url=proxy_url,
            cache_size=cache_size,
        )
        self.pairing_qr_wait = pairing_qr_wait
        self.stop_timeout = stop_timeout
        self.verify_recipients = verify_recipients
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="neonize-call")
        self._sessions: dict[str, Session] = {}
        self._parked: list[Session] = []  # kept for the life of the process
        self._parked_lock = threading.Lock()
        self._starting = asyncio.Lock()  # one start at a time: check, then register

    # --- plumbing -------------------------------------------------------------------------

    def _keep_parked(self, session: Session) -> None:
        with self._parked_lock:
            if session not in self._parked:
                self._parked.append(session)

    @property
    def parked_sessions(self) -> int:
        """Runs whose engine call never returns; recycle the process when this grows."""
        return len(self._parked)

    async def _offload(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def _engine(self, session: Session, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """One neonize call on the pool, under the engine lock, its errors mapped."""
        try:
            return await self._offload(functools.partial(session.call, fn, *args, **kw))
        except GatewayError:
            raise
        except Exception as exc:
            raise map_engine_error(exc) from exc

    def _running(self, session_id: str) -> Session:
        session = self._sessions.get(session_id)
        if session is None or not session.running:
            reason = f" ({session.end_reason})" if session and session.end_reason else ""
            raise SessionNotRunning(f"session {session_id} is not running{reason}")
        return session

    def _live(self, session_id: str) -> Session:
        session = self._running(session_id)
        if session.state is State.QR:
            raise NotLoggedIn(f"session {session_id} is waiting for QR pairing")
        if session.state is not State.LIVE:
            raise GatewayError(f"session {session_id} is not connected yet ({session.state})")
        return session

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, spec: SessionSpec, sink: EventSink) -> None:
        async with self._starting:
            current = self._sessions.get(spec.session_id)
            if current is not None and current.running:
                log.info("session %s already running", spec.session_id)
                return
            if current is not None and not current.settled():
                raise GatewayError(
                    f"session {spec.session_id}: the previous run is still shutting down; retry"
                )
            await self._offload(prepare_store, spec.store_path)
            session = await self._offload(Session, spec, sink, self.settings, self._keep_parked)
            self._sessions[spec.session_id] = session
            session.thread.start()

    async def stop(self, session_id: str) -> None:
        session = self._sessions.get(session_id)
        if session is not None:
            await self._offload(session.request_stop, self.stop_timeout)

    async def logout(self, session_id: str) -> None:
        session = self._sessions.get(session_id)
        if session is None:
            raise SessionNotRunning(f"session {session_id} is not running")
        if session.state is State.LIVE and session.identity is not None:
            await self._engine(session, session.client.logout)
            session.report_logged_out("logged out by request")
        await self.stop(session_id)

    def is_running(self, session_id: str) -> bool:
        session = self._sessions.get(session_id)
        return session is not None and session.running

    async def close(self) -> None:
        await asyncio.gather(*(self.stop(sid) for sid in list(self._sessions)))
        if self._parked:
            log.warning("%d parked neonize run(s) hold idle threads until exit", len(self._parked))
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def request_pairing_code(self, session_id: str, phone: str) -> str:
        session = self._running(session_id)
        digits = tr.phone_digits(phone)
        if session.state is State.LIVE or session.identity is not None:
            raise PermanentEngineError(f"session {session_id} is already paired")
        if not await self._offload(session.wait_for_qr, self.pairing_qr_wait):
            if session.ended.is_set() or not session.running:
                raise SessionNotRunning(
                    f"session {session_id} ended before a QR code was issued "
                    f"({session.end_reason or session.state}); a pairing code needs a QR phase"
                )
            raise GatewayError(
                f"session {session_id}: no QR code within {self.pairing_qr_wait:g} s; "
                "a pairing code can only be requested during the QR phase"
            )
        return str(await self._engine(session, session.client.PairPhone, digits, True))

    # --- messaging ------------------------------------------------------------------------

    async def send_text(
        self, session_id: str, to: str, text: str, *, message_id: str, quoted_id: str | None = None
    ) -> SendResult:
        session = self._live(session_id)
        jid = await self._recipient(session, to)
        message = tr.build_text_message(text, session.quote_for(quoted_id))
        return await self._send(session, jid, message, message_id)

    async def send_media(
        self,
        session_id: str,
        to: str,
        media: OutboundMedia,
        *,
        message_id: str,
        quoted_id: str | None = None,
    ) -> SendResult:
        if not isinstance(media.data, bytes | bytearray):  # neonize reads a str as path or URL
            raise TypeError("OutboundMedia.data must be bytes")
        session = self._live(session_id)
        jid = await self._recipient(session, to)
        data = bytes(media.data)
        media_type = MediaType[tr.media_type_name(media.kind)]
        upload = await self._engine(session, session.client.upload, data, media_type)
        seconds = media.seconds
        if seconds is None and media.kind in (MediaKind.AUDIO, MediaKind.VIDEO):
            seconds = await self._offload(media_seconds, data)
        quote = session.quote_for(quoted_id)
        message = tr.build_media_message(media, upload, quote=quote, seconds=seconds)
        return await self._send(session, jid, message, message_id)

    async def _send(self, session: Session, jid: str, message: Any, wanted_id: str) -> SendResult:
        response = await self._engine(
            session, session.client.send_message, tr.to_proto_jid(jid), message
        )
        sent_id = str(response.ID)
        log.debug("session %s: %s went out as %s", session.session_id, wanted_id, sent_id)
        me = session.identity.jid if session.identity else None
        session.remember(sent_id, tr.Quote(sent_id, me, tr.strip_context(message)))
        session.emit(StoreChanged(session_id=session.session_id))
        return SendResult(message_id=sent_id, timestamp=tr.from_seconds(int(response.Timestamp)))

    async def _recipient(self, session: Session, to: str) -> str:
        """The JID to send to. Phone numbers are checked with WhatsApp, which also returns
        the canonical JID (for instance Brazilian numbers registered without the ninth digit).
        """
        jid = tr.normalize_recipient(to)
        if not self.verify_recipients or not jid.endswith("@" + tr.USER_SERVER):
            return jid
        known = session.known_recipient(jid)
        if known:
            return known
        answers = await self._engine(session, session.client.is_on_whatsapp, tr.jid_to_phone(jid))
        found = next((answer for answer in answers if answer.IsIn), None)
        if found is None:
            raise InvalidRecipient(f"{to} is not on WhatsApp")
        resolved = tr.jid_str(found.JID) or jid
        session.remember_recipient(jid, resolved)
        return resolved

    async def download_media(self, session_id: str, ref: MediaRef) -> bytes:
        session = self._live(session_id)
        try:
            message = tr.message_from_locator(ref.locator)
        except ValueError as exc:
            raise PermanentEngineError(str(exc)) from exc
        return bytes(await self._engine(session, session.client.download_any, message))

    async def mark_read(
        self, session_id: str, chat: str, sender: str | None, message_ids: list[str]
    ) -> None:
        session = self._live(session_id)
        chat_jid = tr.normalize_recipient(chat)
        if sender is None and chat_jid.endswith("@" + tr.GROUP_SERVER):
            raise InvalidRecipient("mark_read in a group needs the sender")
        sender_jid = tr.normalize_recipient(sender) if sender else chat_jid
        if message_ids:
            await self._engine(
                session,
                session.client.mark_read,
                *message_ids,
                chat=tr.to_proto_jid(chat_jid),
                sender=tr.to_proto_jid(sender_jid),
                receipt=ReceiptType.READ,
            )

    async def set_typing(self, session_id: str, chat: str, typing: bool) -> None:
        session = self._live(session_id)
        state = ChatPresence.CHAT_PRESENCE_PAUSED
        if typing:
            state = ChatPresence.CHAT_PRESENCE_COMPOSING
        jid = tr.to_proto_jid(tr.normalize_recipient(chat))
        media = ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT
        await self._engine(session, session.client.send_chat_presence, jid, state, media)


# --- helpers ----------------------------------------------------------------------------------

_PERMANENT_MARKERS = (
    "status code 404", "status code 410", "doesn't match", "no url present",
    "didn't find any attachments", "media no longer available", "unknown media type",
    "server returned error 4", "file too short",
)  # fmt: skip
_RECIPIENT_MARKERS = (
    "unknown server", "must be a user jid", "broadcast lists", "invalid jid", "not on whatsapp",
)  # fmt: skip


def map_engine_error(exc: Exception) -> GatewayError:
    """neonize's exceptions carry whatsmeow's error text; sort them for the caller."""
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "client is nil" in lowered:
        return SessionNotRunning(text)
    if "store doesn't contain a device jid" in lowered or "not logged in" in lowered:
        return NotLoggedIn(text)
    if any(marker in lowered for marker in _RECIPIENT_MARKERS):
        return InvalidRecipient(text)
    if any(marker in lowered for marker in _PERMANENT_MARKERS):
        return PermanentEngineError(text)
    return GatewayError(text)


def prepare_store(path: Path) -> None:
    """A private directory (0700) and a store file that is 0600 before the engine opens it.

    The Go side would create a missing file as 0644; it opens the path as a ``file:`` URI.
    """
    if any(char in str(path) for char in "?#"):
        raise PermanentEngineError(f"store path must not contain '?' or '#': {path}")
    parent = path.parent
    try:
        parent.mkdir(parents=True, mode=0o700)
        os.chmod(parent, 0o700)  # mkdir's mode goes through the umask
    except FileExistsError:
        _make_private(parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for candidate in (path, *(Path(f"{path}{s}") for s in ("-journal", "-wal", "-shm"))):
        if candidate.exists():
            os.chmod(candidate, 0o600)


def _make_private(directory: Path) -> None:
    info = directory.stat()
    if not info.st_mode & 0o077:
        return
    if info.st_mode & stat.S_ISVTX or info.st_uid != os.getuid():
        raise PermanentEngineError(
            f"store directory {directory} is shared (mode {oct(info.st_mode & 0o7777)}); "
            "use a private directory"
        )
    log.warning("tightening store directory %s to 0700", directory)
    os.chmod(directory, 0o700)


def media_seconds(data: bytes) -> int | None:
    """Duration of an audio/video payload via ffprobe, best effort (None when unknown)."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return None
    fd, name = tempfile.mkstemp(prefix="wa-media-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        result = subprocess.run(
            [ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", name],
            capture_output=True,
            timeout=15,
            check=False,
        )
        text = result.stdout.strip()
        return max(1, round(float(text))) if text else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    finally:
        os.unlink(name)
