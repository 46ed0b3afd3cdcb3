"""One neonize session run: its client, its blocking ``connect()`` thread, its state.

The Go side of neonize 0.5.2 decides most of this module's shape (read in its source):

* Once a QR phase ends without pairing (every code expired, a pairing error, or our own stop),
  the Go ``Neonize()`` call never returns: it waits on a QR channel nobody closes, or sleeps in
  ``FetchMe`` until a device id appears. Such a run is *parked*: its socket is closed, it
  reports nothing more and its client object is kept for the life of the process (its ctypes
  callbacks must outlive the stuck Go call). The next run of the session gets a fresh client
  under a new engine id. neonize runs ``Neonize()`` on a non-daemon thread, which would keep
  the process from exiting: it is made a daemon thread here.
* ``Stop`` deletes the client from the Go maps; if ``Neonize()`` is still on its way into the
  event loop it then dereferences nil and the process dies. ``Stop`` is only used once the
  engine's first event (the device record, sent after ``FetchMe``) arrived; before that, only
  ``Disconnect``. A call on a stopped client may crash too (``GetMe`` dereferences the missing
  entry), so every engine call checks ``engine_stopping`` inside the shared lock.
* ``Stop`` and ``Disconnect`` block while a dial is in progress (whatsmeow holds its socket lock
  for the dial: up to 60 s on a silent network, unbounded through a silent proxy). A stop during
  a dial marks the run stopped and lets the dial end on its own.
* neonize never retries the first ``connect()`` (no DNS fails in milliseconds). It is retried
  here a bounded number of times with capped exponential backoff and jitter.
* Handlers must be registered before ``connect()``; neonize keeps bound methods only as weak
  references, so closures are registered. Handlers run on the engine's thread: they translate,
  call the sink and return.
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from whatsapp_saas.whatsapp.gateway import (
    Disconnected,
    EventSink,
    GatewayEvent,
    LoggedOut,
    SessionNotRunning,
    SessionSpec,
    StoreChanged,
)

from . import neonize_translate as tr
from .neonize_runtime import ENGINE_LOCK, load_neonize

load_neonize()  # must run before any neonize import: it contains the import's side effects

import neonize.client as neonize_client  # noqa: E402
from neonize.events import (  # noqa: E402
    ChatPresenceEv,
    ClientOutdatedEv,
    ConnectedEv,
    ConnectFailureEv,
    DisconnectedEv,
    Event,
    KeepAliveRestoredEv,
    KeepAliveTimeoutEv,
    LoggedOutEv,
    MessageEv,
    OfflineSyncCompletedEv,
    PairStatusEv,
    ReceiptEv,
    StreamErrorEv,
    StreamReplacedEv,
    TemporaryBanEv,
    UndecryptableMessageEv,
)
from neonize.proto.waCompanionReg.WAWebProtobufsCompanionReg_pb2 import (  # noqa: E402
    DeviceProps,
)

log = logging.getLogger(__name__)


class _DaemonThread(threading.Thread):
    """neonize's connect worker, as a daemon: a parked run must not block process exit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["daemon"] = True
        super().__init__(*args, **kwargs)


neonize_client.Thread = _DaemonThread

_engine_ids = itertools.count(1)  # process-wide: engine ids key the Go side's global maps


class State(StrEnum):
    CONNECTING = "connecting"
    RETRY_WAIT = "retry_wait"
    QR = "qr"
    LIVE = "live"
    STOPPED = "stopped"
    FAILED = "failed"
    PARKED = "parked"


RUNNING = frozenset({State.CONNECTING, State.RETRY_WAIT, State.QR, State.LIVE})
_RETRYABLE_CONNECT = (
    "dial", "websocket", "timeout", "timed out", "eof", "connection", "proxy",
    "no such host", "network", "i/o", "tls", "handshake",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SessionSettings:
    connect_attempts: int = 5
    backoff_base: float = 2.0
    backoff_cap: float = 60.0
    registration_window: float = 2.0
    proxy_url: str | None = None
    cache_size: int = 512

    def backoff(self, attempt: int) -> float:
        """Capped exponential backoff with jitter (half fixed, half random)."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class _EngineEvents(Event):  # type: ignore[misc]  # neonize ships no type hints
    """neonize's event dispatcher, telling the session when the engine's event loop is up."""

    def __init__(self, client: Any, session: Session) -> None:
        super().__init__(client)
        self._session = session

    def execute(self, uuid: Any, binary: int, size: int, code: int) -> None:
        self._session.engine_called_back()
        try:
            super().execute(uuid, binary, size, code)
            if code == 0:  # the device record: FetchMe returned, the event loop is running
                self._session.on_engine_started()
        except Exception:
            log.exception("session %s: engine event %s failed", self._session.session_id, code)


class _EngineClient(neonize_client.NewClient):  # type: ignore[misc]  # untyped library
    """``NewClient`` with the two hooks 0.5.2 only offers privately."""

    def __init__(self, store: str, *, engine_id: str, props: Any, session: Session) -> None:
        super().__init__(store, props=props, uuid=engine_id)
        # The finalizer would call Stop(uuid) from the garbage collector, outside ENGINE_LOCK.
        self._stop_finalizer.detach()
        self._session = session
        self.event = _EngineEvents(self, session)
        self.qr = self.event.qr

    # ``NewClient.connect`` hands ``self.__onLoginStatus`` to Go; this name overrides it.
    def _NewClient__onLoginStatus(self, uuid: int, status: int | None) -> None:
        try:
            text = ctypes.string_at(status).decode(errors="replace") if status else ""
            self._session.on_login_status(text)
        except Exception:
            log.exception("session %s: login status handler failed", self._session.session_id)


class Session:
    """One run of one session. Created by the gateway, started with ``thread.start()``."""

    def __init__(
        self,
        spec: SessionSpec,
        sink: EventSink,
        settings: SessionSettings,
        on_parked: Callable[[Session], None],
    ) -> None:
        self.spec = spec
        self.session_id = spec.session_id
        self.sink = sink
        self.settings = settings
        self._on_parked = on_parked
        self.engine_id = f"{spec.session_id}.{next(_engine_ids)}"
        self.state = State.CONNECTING
        self.end_reason = ""
        self.identity: Any = None  # the last Connected event
        self.lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.qr_seen = threading.Event()
        self.ended = threading.Event()
        self.detached = False  # nothing more reaches the sink
        self.logged_out_reported = False
        self.engine_started = False
        self.engine_stopping = False
        self.qr_count = 0
        self.last_qr_expiry: datetime | None = None
        self.recent: OrderedDict[str, tr.Quote] = OrderedDict()
        self.recipients: OrderedDict[str, str] = OrderedDict()
        self._window_release: Callable[[], None] | None = None
        props = DeviceProps(os=spec.device_name, platformType=DeviceProps.CHROME)
        self.client = _EngineClient(
            str(spec.store_path), engine_id=self.engine_id, props=props, session=self
        )
        self._register_handlers()
        self.thread = threading.Thread(
            target=self._run, name=f"neonize-session-{spec.session_id}", daemon=True
        )

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    def settled(self) -> bool:
        """Nothing of this run can touch the store any more."""
        return self.state is State.PARKED or not self.thread.is_alive()

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One engine call, under the shared lock, refused once the client is being stopped."""
        with ENGINE_LOCK.shared():
            if self.engine_stopping:
                raise SessionNotRunning(f"session {self.session_id} is stopping")
            return fn(*args, **kwargs)

    # --- the connect thread ---------------------------------------------------------------

    def _run(self) -> None:
        settings, attempt = self.settings, 0
        while not self.stop_requested.is_set():
            attempt += 1
            with self.lock:
                if self.state in RUNNING:
                    self.state = State.CONNECTING
                self.qr_count, self.last_qr_expiry = 0, None
            error = self._connect_once()
            with self.lock:
                if self.state not in RUNNING or self.stop_requested.is_set():
                    break  # ended by a handler (logout, ban...) or by stop()
            if error is None:
                self._fail("the engine stopped on its own")
                break
            message = str(error) or type(error).__name__
            if not any(marker in message.lower() for marker in _RETRYABLE_CONNECT):
                self._fail(f"the engine refused to start: {message}")
                break
            if attempt >= settings.connect_attempts:
                self._fail(f"could not connect after {attempt} attempts: {message}")
                break
            self.emit(
                Disconnected(
                    session_id=self.session_id,
                    reason=f"connect attempt {attempt}/{settings.connect_attempts} failed: "
                    f"{message}",
                    will_retry=True,
                )
            )
            with self.lock:
                if self.state in RUNNING:
                    self.state = State.RETRY_WAIT
            if self.stop_requested.wait(settings.backoff(attempt)):
                break
        with self.lock:
            if self.state in RUNNING:
                self.state = State.STOPPED
        self.ended.set()

    def _connect_once(self) -> BaseException | None:
        """One blocking ``connect()``; the Go maps are written under the exclusive lock."""
        self._open_registration_window()
        proxy = self.spec.extra.get("proxy_url") or self.settings.proxy_url
        try:
            self.client.connect(
                neonize_client.ProxySettings(proxy_address=proxy) if proxy else None
            )
        except Exception as exc:
            return exc
        finally:
            self.engine_called_back()  # connect returned: registration is long over
        return None

    def _open_registration_window(self) -> None:
        """Hold ENGINE_LOCK exclusively until the engine registered this client.

        ``Neonize()`` writes the Go maps within milliseconds of being called, then dials. The
        first callback of any kind, the end of ``connect()`` or the window's timeout, whichever
        comes first, gives the lock back.
        """
        ENGINE_LOCK.acquire_exclusive()
        released = threading.Event()

        def release() -> None:
            with self.lock:
                if released.is_set():
                    return
                released.set()
                self._window_release = None
            ENGINE_LOCK.release_exclusive()
            timer.cancel()

        timer = threading.Timer(self.settings.registration_window, release)
        timer.daemon = True
        self._window_release = release
        timer.start()

    def engine_called_back(self) -> None:
        release = self._window_release
        if release is not None:
            release()

    # --- ending a run ---------------------------------------------------------------------

    def _fail(self, reason: str) -> None:
        with self.lock:
            if self.state not in RUNNING:
                return
            self.state, self.end_reason = State.FAILED, reason
        self.emit(Disconnected(session_id=self.session_id, reason=reason, will_retry=False))
        self.ended.set()

    def _end(self, reason: str) -> None:
        """The engine reported a terminal condition: stop it, report nothing more."""
        with self.lock:
            if self.state not in RUNNING:
                return
            self.state, self.end_reason, self.detached = State.STOPPED, reason, True
        self.ended.set()
        self._in_background(self.stop_engine)

    def _park(self, reason: str) -> None:
        """End a run whose ``Neonize()`` call will never return (see the module docstring)."""
        with self.lock:
            if self.state is State.PARKED:
                return
            self.state, self.end_reason, self.detached = State.PARKED, reason, True
        self.ended.set()
        self._on_parked(self)
        self._in_background(self._disconnect)

    def _disconnect(self) -> None:
        try:
            self.call(self.client.disconnect)
        except Exception:
            log.debug("session %s: disconnect failed", self.session_id, exc_info=True)

    def stop_engine(self) -> None:
        """``Stop`` a client whose event loop runs; makes ``connect()`` return."""
        with self.lock:
            if self.engine_stopping or not self.engine_started:
                return
            self.engine_stopping = True
        with ENGINE_LOCK.exclusive():
            self.client.stop()

    def request_stop(self, timeout: float) -> None:
        """Stop this run (the manager's request); returns when the engine let go or on timeout."""
        self.stop_requested.set()
        with self.lock:
            state, self.detached = self.state, True
            if state in (State.CONNECTING, State.RETRY_WAIT):
                self.state, self.end_reason = State.STOPPED, "stopped"
        if state is State.QR:
            self._park("stopped while waiting for a QR scan")
        elif state is State.LIVE:
            self.stop_engine()
        if self.state is not State.PARKED and self.thread.ident is not None:
            self.thread.join(timeout)
        with self.lock:
            if self.state in RUNNING:
                self.state, self.end_reason = State.STOPPED, "stopped"

    def _in_background(self, fn: Callable[[], None]) -> None:
        threading.Thread(target=fn, name=f"neonize-stop-{self.session_id}", daemon=True).start()

    # --- engine callbacks (the engine's thread) -------------------------------------------

    def emit(self, event: GatewayEvent) -> None:
        if self.detached:
            return
        try:
            self.sink(event)
        except Exception:
            log.exception("session %s: sink failed on %s", self.session_id, type(event).__name__)

    def on_qr(self, data: bytes) -> None:
        self.engine_called_back()
        with self.lock:
            if self.state in RUNNING:
                self.state = State.QR
            event = tr.qr_issued(self.session_id, bytes(data), self.qr_count, datetime.now(UTC))
            self.qr_count += 1
            self.last_qr_expiry = event.expires_at
            stopping = self.stop_requested.is_set()
        self.qr_seen.set()
        if stopping:
            self._park("stopped while waiting for a QR scan")
        else:
            self.emit(event)

    def on_login_status(self, status: str) -> None:
        self.engine_called_back()
        log.info("session %s: login status %r", self.session_id, status)
        phase = tr.QrPhase(self.qr_count, self.last_qr_expiry)
        event = tr.login_status_event(self.session_id, status, phase, datetime.now(UTC))
        if event is not None:
            self.emit(event)
        if tr.ends_qr_phase(status):
            self._park(getattr(event, "reason", "every QR code expired"))
        elif status == "success":
            with self.lock:
                if self.state is State.QR:
                    self.state = State.CONNECTING  # paired; LIVE once the event loop runs

    def on_engine_started(self) -> None:
        with self.lock:
            self.engine_started = True
            if self.state in RUNNING:
                self.state = State.LIVE
            stopping = self.stop_requested.is_set() or self.state not in RUNNING
        if stopping:
            self._in_background(self.stop_engine)

    def _on_connected(self) -> None:
        me = self.client.me
        if me is None or not me.HasField("JID"):
            try:  # safe now: the engine is connected; call() refuses once it is stopping
                me = self.call(self.client.get_me)
            except SessionNotRunning:
                return
        event = tr.connected_event(self.session_id, me)
        if event is None:
            log.warning("session %s: connected without a phone JID", self.session_id)
            return
        self.identity = event
        self.emit(event)
        self.emit(StoreChanged(session_id=self.session_id))

    def _on_message(self, ev: Any) -> None:
        event = tr.translate_message(self.session_id, ev)
        if event is not None:
            participant, content = tr.quotable(ev)
            self.remember(event.message_id, tr.Quote(event.message_id, participant, content))
            self.emit(event)
        self.emit(StoreChanged(session_id=self.session_id))  # the ratchets moved either way

    def _on_logged_out(self, ev: Any) -> None:
        event = tr.translate_logged_out(self.session_id, ev)
        self.report_logged_out(event.reason, unlinked=event.unlinked)
        self._end("logged out")

    def report_logged_out(self, reason: str, *, unlinked: bool = True) -> None:
        with self.lock:
            if self.logged_out_reported:
                return
            self.logged_out_reported = True
        self.emit(LoggedOut(session_id=self.session_id, reason=reason, unlinked=unlinked))

    def _on_keepalive_restored(self) -> None:
        if self.identity is not None:
            self.emit(self.identity)

    def _terminal(self, translate: Callable[[str, Any], Any]) -> Callable[[Any, Any], None]:
        def handler(_client: Any, ev: Any) -> None:
            event = translate(self.session_id, ev)
            self.emit(event)
            if not event.will_retry:
                self._end(event.reason)

        return handler

    def _simple(self, translate: Callable[[str, Any], Any]) -> Callable[[Any, Any], None]:
        def handler(_client: Any, ev: Any) -> None:
            event = translate(self.session_id, ev)
            if event is not None:
                self.emit(event)

        return handler

    def _register_handlers(self) -> None:
        """Closures, not bound methods: neonize keeps bound methods only as weak references."""
        on = self.client.event
        self.client.qr(lambda _c, data: self.on_qr(data))
        on(MessageEv)(lambda _c, ev: self._on_message(ev))
        on(ConnectedEv)(lambda _c, _ev: self._on_connected())
        on(LoggedOutEv)(lambda _c, ev: self._on_logged_out(ev))
        on(KeepAliveRestoredEv)(lambda _c, _ev: self._on_keepalive_restored())
        on(OfflineSyncCompletedEv)(lambda _c, _ev: self.emit(StoreChanged(self.session_id)))
        on(UndecryptableMessageEv)(
            lambda _c, ev: log.warning("session %s: undecryptable %s", self.session_id, ev.Info.ID)
        )
        on(ReceiptEv)(self._simple(tr.translate_receipt))
        on(ChatPresenceEv)(self._simple(tr.translate_chat_presence))
        on(PairStatusEv)(self._simple(tr.translate_pair_status))
        on(DisconnectedEv)(self._simple(tr.translate_disconnected))
        on(KeepAliveTimeoutEv)(self._simple(tr.translate_keepalive_timeout))
        on(StreamErrorEv)(self._simple(tr.translate_stream_error))
        on(StreamReplacedEv)(self._terminal(tr.translate_stream_replaced))
        on(TemporaryBanEv)(self._terminal(tr.translate_temporary_ban))
        on(ClientOutdatedEv)(self._terminal(tr.translate_client_outdated))
        on(ConnectFailureEv)(self._terminal(tr.translate_connect_failure))

    # --- per-run caches -------------------------------------------------------------------

    def remember(self, message_id: str, quote: tr.Quote) -> None:
        """Recent messages, so a reply can carry the quoted content (the phone renders it)."""
        with self.lock:
            self.recent[message_id] = quote
            while len(self.recent) > self.settings.cache_size:
                self.recent.popitem(last=False)

    def quote_for(self, quoted_id: str | None) -> tr.Quote | None:
        if not quoted_id:
            return None
        with self.lock:
            return self.recent.get(quoted_id) or tr.Quote(quoted_id)

    def known_recipient(self, jid: str) -> str | None:
        with self.lock:
            return self.recipients.get(jid)

    def remember_recipient(self, jid: str, resolved: str) -> None:
        with self.lock:
            self.recipients[jid] = resolved
            while len(self.recipients) > self.settings.cache_size:
                self.recipients.popitem(last=False)

    def wait_for_qr(self, timeout: float) -> bool:
        """True once a QR code is up; False on timeout or when the run ended first."""
        deadline = time.monotonic() + timeout
        while not (self.qr_seen.is_set() or self.ended.is_set()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self.qr_seen.wait(min(0.05, remaining))
        return self.qr_seen.is_set() and self.state is State.QR
