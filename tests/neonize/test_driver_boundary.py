"""The neonize driver up to its boundary: real neonize clients, no WhatsApp.

WhatsApp is unreachable from the test machines. Sessions connect through a SOCKS proxy on a
closed local port (refused at once, whatever the DNS does) or on a local server that accepts
and never answers (the dial hangs). What only a WhatsApp server can trigger (QR codes, the
engine's event loop) is simulated by calling the engine's callbacks on a real client that
never connected, which neonize answers with clean "client is nil" errors.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from neonize.events import ConnectedEv, LoggedOutEv, MessageEv, ReceiptEv
from neonize.proto import Neonize_pb2 as npb
from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as wa

from whatsapp_saas.config import ConfigurationError
from whatsapp_saas.whatsapp.drivers import neonize_driver as drv
from whatsapp_saas.whatsapp.drivers.neonize_runtime import (
    ENGINE_LOCK,
    EngineLock,
    engine_bot_tag_disabled,
)
from whatsapp_saas.whatsapp.drivers.neonize_session import Session
from whatsapp_saas.whatsapp.gateway import (
    Connected,
    Disconnected,
    GatewayError,
    GatewayEvent,
    InvalidRecipient,
    LoggedOut,
    MediaKind,
    MessageReceived,
    NotLoggedIn,
    OutboundMedia,
    QrCodeIssued,
    QrTimedOut,
    ReceiptReceived,
    SessionNotRunning,
    SessionSpec,
    StoreChanged,
)

PHONE = "5511999990000"
PN = f"{PHONE}@s.whatsapp.net"
ROOT = Path(__file__).resolve().parents[2]


class Sink:
    """Collects events from engine threads."""

    def __init__(self) -> None:
        self.events: list[GatewayEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: GatewayEvent) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]


async def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


@pytest.fixture
def refused_proxy() -> str:
    """A SOCKS proxy address nobody listens on: every dial is refused immediately."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"socks5://127.0.0.1:{port}"


@pytest.fixture
def silent_proxy() -> Iterator[str]:
    """A proxy that accepts connections and never answers: the dial hangs until closed."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"socks5://127.0.0.1:{server.getsockname()[1]}"
    for conn in accepted:
        conn.close()
    server.close()


def make_gateway(proxy: str | None, **overrides: Any) -> drv.NeonizeGateway:
    options: dict[str, Any] = {
        "require_bot_tag_off": False,  # the test runner is not launched with NEONIZE_BOT_TAG=off
        "connect_attempts": 3,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "registration_window": 0.5,
        "pairing_qr_wait": 0.3,
        "stop_timeout": 0.5,
        "max_workers": 8,
        "proxy_url": proxy,
    }
    options.update(overrides)
    return drv.NeonizeGateway(**options)


@pytest.fixture
async def gateway(refused_proxy: str) -> AsyncIterator[drv.NeonizeGateway]:
    gw = make_gateway(refused_proxy)
    yield gw
    await gw.close()


def spec(tmp_path: Path, session_id: str = "7") -> SessionSpec:
    return SessionSpec(session_id, tmp_path / "stores" / f"{session_id}.sqlite", "Loja Teste")


# --- the bot tag ----------------------------------------------------------------------------


def test_gateway_refuses_an_engine_that_would_tag_messages_as_bot() -> None:
    if engine_bot_tag_disabled():
        pytest.skip("this test process was launched with NEONIZE_BOT_TAG=off")
    # The runtime module set os.environ for child processes; the engine still sees "on".
    assert os.environ["NEONIZE_BOT_TAG"] == "off"
    with pytest.raises(ConfigurationError, match="NEONIZE_BOT_TAG"):
        drv.NeonizeGateway()


def test_gateway_starts_in_a_process_launched_with_the_bot_tag_off() -> None:
    code = (
        "from whatsapp_saas.whatsapp.drivers.neonize_driver import NeonizeGateway\n"
        "NeonizeGateway(); print('ok')\n"
    )
    env = {**os.environ, "NEONIZE_BOT_TAG": "off", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip().endswith("ok"), result.stderr[-2000:]


# --- connecting without WhatsApp -------------------------------------------------------------


async def test_unreachable_network_gives_bounded_retries_then_gives_up(
    gateway: drv.NeonizeGateway, tmp_path: Path
) -> None:
    sink = Sink()
    session = spec(tmp_path)
    started = time.monotonic()
    await gateway.start(session, sink)
    await wait_until(lambda: not gateway.is_running("7"))
    assert time.monotonic() - started < 5

    disconnects = sink.of(Disconnected)
    assert [d.will_retry for d in disconnects] == [True, True, False]
    assert disconnects[0].reason.startswith("connect attempt 1/3 failed")
    final = disconnects[-1]
    assert final.reason.startswith("could not connect after 3 attempts")
    assert "connection refused" in final.reason
    assert len(sink.events) == 3

    store = session.store_path
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    assert store.stat().st_size > 0  # the engine created its tables in our 0600 file
    # The registration window gave the engine lock back.
    assert ENGINE_LOCK.acquire_exclusive(timeout=1)
    ENGINE_LOCK.release_exclusive()


def _dns_resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


async def test_without_dns_the_first_connect_fails_fast(tmp_path: Path) -> None:
    if _dns_resolves("web.whatsapp.com"):
        pytest.skip("DNS resolves WhatsApp here; an offline dial could block for 60 s")
    gw = make_gateway(None, connect_attempts=2)
    sink = Sink()
    try:
        started = time.monotonic()
        await gw.start(spec(tmp_path), sink)
        await wait_until(lambda: not gw.is_running("7"))
        assert time.monotonic() - started < 5
        final = sink.of(Disconnected)[-1]
        assert final.will_retry is False and "web.whatsapp.com" in final.reason
    finally:
        await gw.close()


async def test_many_sessions_connecting_at_once_do_not_crash_the_process(
    gateway: drv.NeonizeGateway, tmp_path: Path
) -> None:
    sinks = {str(i): Sink() for i in range(8)}
    await asyncio.gather(*(gateway.start(spec(tmp_path, i), s) for i, s in sinks.items()))
    await wait_until(lambda: not any(gateway.is_running(i) for i in sinks), timeout=10)
    for sink in sinks.values():
        assert sink.of(Disconnected)[-1].will_retry is False


async def test_start_is_idempotent_while_running(tmp_path: Path, refused_proxy: str) -> None:
    gw = make_gateway(refused_proxy, backoff_base=5.0, backoff_cap=5.0)
    sink = Sink()
    try:
        await gw.start(spec(tmp_path), sink)
        await gw.start(spec(tmp_path), sink)
        await wait_until(lambda: len(sink.events) >= 1)
        assert gw.is_running("7")
        assert len(sink.events) == 1  # one run, waiting to retry
    finally:
        await gw.close()


async def test_stop_during_the_retry_wait_is_quick_and_silent(
    tmp_path: Path, refused_proxy: str
) -> None:
    gw = make_gateway(refused_proxy, backoff_base=30.0, backoff_cap=30.0)
    sink = Sink()
    try:
        await gw.start(spec(tmp_path), sink)
        await wait_until(lambda: len(sink.events) == 1)
        started = time.monotonic()
        await gw.stop("7")
        assert time.monotonic() - started < 1
        assert not gw.is_running("7")
        await asyncio.sleep(0.1)
        assert len(sink.events) == 1
        await gw.start(spec(tmp_path), sink)  # a stopped session starts again
        assert gw.is_running("7")
    finally:
        await gw.close()


async def test_stop_while_the_dial_hangs(tmp_path: Path, silent_proxy: str) -> None:
    gw = make_gateway(silent_proxy)
    sink = Sink()
    try:
        await gw.start(spec(tmp_path), sink)
        await asyncio.sleep(0.2)
        assert gw.is_running("7")
        started = time.monotonic()
        await gw.stop("7")  # Stop would block on the dial: the driver waits stop_timeout
        assert time.monotonic() - started < 2
        assert not gw.is_running("7")
        with pytest.raises(GatewayError, match="still shutting down"):
            await gw.start(spec(tmp_path), sink)
        assert sink.events == []
    finally:
        await gw.close()


# --- calls that need a live session ----------------------------------------------------------


async def test_calls_on_missing_or_unconnected_sessions_fail_clearly(
    tmp_path: Path, silent_proxy: str
) -> None:
    gw = make_gateway(silent_proxy)
    try:
        with pytest.raises(SessionNotRunning):
            await gw.send_text("nope", PN, "oi", message_id="X")
        with pytest.raises(TypeError):
            media = OutboundMedia(MediaKind.IMAGE, "/etc/passwd", "image/jpeg")  # type: ignore[arg-type]
            await gw.send_media("nope", PN, media, message_id="X")
        await gw.start(spec(tmp_path), Sink())
        with pytest.raises(GatewayError, match="not connected yet") as info:
            await gw.send_text("7", PN, "oi", message_id="X")
        assert info.value.transient is True
        with pytest.raises(GatewayError):
            await gw.set_typing("7", PN, True)
        with pytest.raises(SessionNotRunning):
            await gw.logout("nope")
    finally:
        await gw.close()


async def test_pairing_code_before_any_qr_is_a_clear_error(
    tmp_path: Path, silent_proxy: str, refused_proxy: str
) -> None:
    hanging = make_gateway(silent_proxy)
    failing = make_gateway(refused_proxy, connect_attempts=1)
    try:
        with pytest.raises(SessionNotRunning):
            await hanging.request_pairing_code("nope", "+5511999990000")
        await hanging.start(spec(tmp_path), Sink())
        with pytest.raises(InvalidRecipient):
            await hanging.request_pairing_code("7", "12")
        with pytest.raises(GatewayError, match="no QR code within") as info:
            await hanging.request_pairing_code("7", "+5511999990000")
        assert not isinstance(info.value, SessionNotRunning)

        await failing.start(spec(tmp_path, "8"), Sink())
        with pytest.raises(SessionNotRunning, match="could not connect"):
            await failing.request_pairing_code("8", "+5511999990000")
    finally:
        await hanging.close()
        await failing.close()


# --- the engine's callbacks, simulated -------------------------------------------------------


def new_session(gw: drv.NeonizeGateway, tmp_path: Path, sink: Sink) -> Session:
    """A session whose client never connects; the test plays the engine."""
    session_spec = spec(tmp_path)
    drv.prepare_store(session_spec.store_path)
    session = Session(session_spec, sink, gw.settings, gw._keep_parked)
    gw._sessions[session_spec.session_id] = session
    return session


def filled(message: Any) -> Any:
    """Set every unset required field to its default, as neonize's Go encoder always does."""
    for field in message.DESCRIPTOR.fields:
        if not field.is_required:
            continue
        if field.message_type is not None:
            filled(getattr(message, field.name))  # reading then filling marks it present
            getattr(message, field.name).SetInParent()
        elif not message.HasField(field.name):
            setattr(message, field.name, field.default_value)
    return message


def deliver(session: Session, code: int, event: Any) -> None:
    """Hand a serialized event to neonize's dispatcher, as the Go side does."""
    data = filled(event).SerializeToString()
    buffer = ctypes.create_string_buffer(data, len(data))
    session.client.event.execute(b"uuid", ctypes.addressof(buffer), len(data), code)


def jid(value: str) -> npb.JID:
    user, _, server = value.partition("@")
    return npb.JID(User=user, Server=server, RawAgent=0, Device=0, Integrator=0, IsEmpty=False)


def device(phone: str = PHONE) -> npb.Device:
    return npb.Device(
        JID=jid(f"{phone}@s.whatsapp.net"),
        PushName="Loja",
        Platform="android",
        BussinessName="",
        Initialized=True,
    )


async def test_qr_phase_then_timeout_parks_the_session(
    gateway: drv.NeonizeGateway, tmp_path: Path
) -> None:
    sink = Sink()
    session = new_session(gateway, tmp_path, sink)
    session.on_qr(b"2@first,noise,id,adv")
    session.on_qr(b"2@second,noise,id,adv")
    first, second = sink.of(QrCodeIssued)
    assert first.code == "2@first,noise,id,adv"
    assert first.expires_at - datetime.now(UTC) > timedelta(seconds=55)
    assert second.expires_at - datetime.now(UTC) < timedelta(seconds=21)

    calls: list[tuple[Any, ...]] = []

    def pair_phone(*args: Any) -> str:
        calls.append(args)
        return "ABCD-EFGH"

    session.client.PairPhone = pair_phone
    assert await gateway.request_pairing_code("7", "+55 11 99999-0000") == "ABCD-EFGH"
    assert calls == [(PHONE, True)]

    session.last_qr_expiry = datetime.now(UTC) - timedelta(seconds=1)  # time passes
    session.on_login_status("timeout")
    assert sink.of(QrTimedOut) == [QrTimedOut("7")]
    assert not gateway.is_running("7")
    assert gateway.parked_sessions == 1
    session.on_qr(b"2@late,noise,id,adv")  # a parked run reports nothing
    assert len(sink.of(QrCodeIssued)) == 2


async def test_stop_during_the_qr_phase_parks_instead_of_stopping(
    gateway: drv.NeonizeGateway, tmp_path: Path
) -> None:
    sink = Sink()
    session = new_session(gateway, tmp_path, sink)
    session.on_qr(b"2@first,noise,id,adv")
    with pytest.raises(NotLoggedIn):
        await gateway.send_text("7", PN, "oi", message_id="X")
    await gateway.stop("7")
    assert not gateway.is_running("7") and gateway.parked_sessions == 1
    await gateway.start(spec(tmp_path), sink)  # a new run, under a new engine id
    assert gateway._sessions["7"].engine_id != session.engine_id


async def test_live_session_translates_engine_events_and_sends(
    gateway: drv.NeonizeGateway, tmp_path: Path
) -> None:
    sink = Sink()
    session = new_session(gateway, tmp_path, sink)
    deliver(session, 0, device())  # the engine's first event: its event loop is running
    deliver(session, 3, ConnectedEv(status=True))
    assert sink.of(Connected) == [Connected("7", f"+{PHONE}", "Loja", PN)]
    assert gateway.is_running("7")

    info = npb.MessageInfo(
        MessageSource=npb.MessageSource(Chat=jid(PN), Sender=jid(PN), IsFromMe=False),
        ID="3EB0IN",
        Pushname="Ana",
        Timestamp=1_700_000_000_000,
    )
    deliver(session, 17, MessageEv(Info=info, Message=wa.Message(conversation="qual o preço?")))
    received = sink.of(MessageReceived)
    assert [m.text for m in received] == ["qual o preço?"]
    deliver(
        session,
        18,
        ReceiptEv(
            MessageSource=npb.MessageSource(Chat=jid(PN), Sender=jid(PN)),
            MessageIDs=["3EB0OUT"],
            Timestamp=1_700_000_001,
            Type=npb.Receipt.READ,
        ),
    )
    assert [r.message_ids for r in sink.of(ReceiptReceived)] == [("3EB0OUT",)]

    sent: list[Any] = []
    lookups: list[str] = []
    client = session.client

    def is_on_whatsapp(*numbers: str) -> list[Any]:
        lookups.extend(numbers)
        return [npb.IsOnWhatsAppResponse(Query=numbers[0], JID=jid(PN), IsIn=True)]

    def send_message(to: Any, message: Any) -> Any:
        sent.append((to, message))
        return npb.SendResponse(ID="3EB0OUT", Timestamp=1_700_000_002)

    client.is_on_whatsapp = is_on_whatsapp
    client.send_message = send_message
    before = len(sink.of(StoreChanged))
    result = await gateway.send_text(
        "7", "+55 11 99999-0000", "R$ 10", message_id="MINE", quoted_id="3EB0IN"
    )
    assert result.message_id == "3EB0OUT"  # neonize 0.5.2 cannot send with our id
    assert result.timestamp == datetime.fromtimestamp(1_700_000_002, UTC)
    to, message = sent[0]
    assert (to.User, to.Server, to.Device) == (PHONE, "s.whatsapp.net", 0)
    ctx = message.extendedTextMessage.contextInfo
    assert (ctx.stanzaID, ctx.participant) == ("3EB0IN", PN)
    assert ctx.quotedMessage.conversation == "qual o preço?"
    assert len(sink.of(StoreChanged)) == before + 1
    await gateway.send_text("7", PN, "mais uma", message_id="MINE2")
    assert lookups == [f"+{PHONE}"]  # the recipient check is cached
    assert sent[1][1] == wa.Message(conversation="mais uma")

    client.is_on_whatsapp = lambda *n: [npb.IsOnWhatsAppResponse(Query=n[0], IsIn=False)]
    with pytest.raises(InvalidRecipient, match="not on WhatsApp"):
        await gateway.send_text("7", "+5511988887777", "oi", message_id="M3")

    deliver(session, 6, LoggedOutEv(OnConnect=False, Reason=npb.LOGGED_OUT))
    assert sink.of(LoggedOut) == [LoggedOut("7", "the device was unlinked from the phone")]
    assert not gateway.is_running("7")


async def test_engine_errors_are_mapped_for_the_caller(
    gateway: drv.NeonizeGateway, tmp_path: Path
) -> None:
    session = new_session(gateway, tmp_path, Sink())
    deliver(session, 0, device())
    # The client never registered with the Go side: neonize answers "client is nil".
    with pytest.raises(SessionNotRunning, match="client is nil"):
        await gateway.set_typing("7", PN, True)
    assert isinstance(drv.map_engine_error(Exception("websocket not connected")), GatewayError)
    assert drv.map_engine_error(Exception("websocket not connected")).transient is True
    not_paired = drv.map_engine_error(Exception("the store doesn't contain a device JID"))
    assert isinstance(not_paired, NotLoggedIn)
    gone = drv.map_engine_error(Exception("download failed with status code 410"))
    assert gone.transient is False
    unknown = drv.map_engine_error(Exception("can't send message to unknown server"))
    assert isinstance(unknown, InvalidRecipient)


# --- the engine lock ------------------------------------------------------------------------


def test_engine_lock_shares_readers_and_excludes_writers() -> None:
    lock = EngineLock()
    lock.acquire_shared()

    def read_once() -> None:
        with lock.shared():
            pass

    other_reader = threading.Thread(target=read_once)
    other_reader.start()
    other_reader.join(1)
    assert not other_reader.is_alive()  # readers share
    writer_result: list[bool] = []
    writer = threading.Thread(target=lambda: writer_result.append(lock.acquire_exclusive(0.05)))
    writer.start()
    writer.join(1)
    assert writer_result == [False]  # a reader blocks the writer
    with pytest.raises(RuntimeError):
        lock.acquire_exclusive()  # upgrading a shared hold would deadlock: refused
    lock.acquire_shared()  # re-entrant for the same thread
    lock.release_shared()
    lock.release_shared()
    assert lock.acquire_exclusive(timeout=1)
    got_shared = threading.Event()

    def reader() -> None:
        lock.acquire_shared()
        got_shared.set()
        lock.release_shared()

    threading.Thread(target=reader, daemon=True).start()
    assert not got_shared.wait(0.05)  # the writer excludes readers
    threading.Thread(target=lock.release_exclusive).start()  # released by another thread
    assert got_shared.wait(1)
    with pytest.raises(RuntimeError):
        lock.release_exclusive()
