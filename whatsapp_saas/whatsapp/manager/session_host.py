"""The session host: a child process running up to K sessions of one engine.

It exists so that a fatal engine error (a Go ``fatal error`` in neonize cannot be caught) kills
only this process and its sessions, never the manager. Commands arrive over a socket pair as
``("call", id, method, args, kwargs)``; replies go back as ``("reply", id, ok, result)`` and
engine events as ``("event", GatewayEvent, token)``. When the manager dies the socket closes and
the host exits with it, so no orphan keeps a session alive next to the new owner's.

Inbound messages and receipts of a driver with ``deferred_acks`` carry a token (None
otherwise); the manager answers ``("ack", stored_tokens, lost_tokens)`` once they are
committed (or could not be), and only then does the driver ack them to the network (see
:mod:`.acks`).

Launched as
``python -m whatsapp_saas.whatsapp.manager.session_host <fd> <driver> <options> <level>``
(a fresh interpreter, not a multiprocessing child: it never re-imports whatever ``__main__``
the manager was embedded in, e.g. the web server's).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

from whatsapp_saas.whatsapp.gateway import (
    Gateway,
    GatewayError,
    GatewayEvent,
    MessageReceived,
    ReceiptReceived,
    SessionSpec,
)
from whatsapp_saas.whatsapp.manager.acks import PendingAcks

log = logging.getLogger(__name__)

# Gateway methods the manager may call, plus the host's own.
FORWARDED = frozenset(
    {
        "stop",
        "logout",
        "request_pairing_code",
        "send_text",
        "send_media",
        "download_media",
        "mark_read",
        "set_typing",
    }
)
# After these, a session's unsettled events are dropped (the network keeps them unacked).
ENDS_SESSION = frozenset({"stop", "logout"})
CLOSE_TIMEOUT = 10.0
ORPHAN_EXIT_SECONDS = 3.0


def main(argv: list[str]) -> None:
    fd, driver, options, log_level = int(argv[1]), argv[2], json.loads(argv[3]), argv[4]
    # A host lives as long as its manager's pipe (EOF: it exits, see _exit_soon). Ctrl-C in
    # a terminal or a stop of the whole process group signals every process at once; a host
    # that died of it first would leave its manager no session to take the clean-shutdown
    # snapshot from, and the manager would restart what it is stopping.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(
        level=log_level,
        format=f"%(asctime)s %(levelname)s host[{os.getpid()}] %(name)s: %(message)s",
    )
    conn = Connection(fd)
    try:
        asyncio.run(_Host(conn, driver, options).serve())
    finally:
        conn.close()


def _exit_soon() -> None:
    """The manager is gone: exit even if an engine refuses to stop (neonize can block 60 s).

    Well before a lease can expire (TTL 15 s by default), so an orphan never runs a session
    next to the node that takes it over."""
    timer = threading.Timer(ORPHAN_EXIT_SECONDS, os._exit, args=(0,))
    timer.daemon = True
    timer.start()


class _Host:
    def __init__(self, conn: Connection, driver: str, options: dict[str, Any]) -> None:
        from whatsapp_saas.whatsapp.manager.driver_choice import build_gateway

        self.conn = conn
        self.gateway: Gateway = build_gateway(driver, options)
        self._send_lock = threading.Lock()
        self._done = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.acks = PendingAcks()

    def emit(self, message: tuple[Any, ...]) -> None:
        # Engines call the sink from their own threads: one writer at a time on the pipe.
        try:
            with self._send_lock:
                self.conn.send(message)
        except (OSError, ValueError):
            os._exit(0)  # the manager is gone; nothing left to report to

    def sink(self, event: GatewayEvent) -> asyncio.Future[bool] | None:
        # Only drivers that wait for the outcome get one; they call us on the loop (neonize
        # calls from its own threads, and acks before we see the event anyway).
        if self.gateway.deferred_acks and isinstance(event, MessageReceived | ReceiptReceived):
            token, outcome = self.acks.track(event.session_id)
            self.emit(("event", event, token))
            return outcome
        self.emit(("event", event, None))
        return None

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, args=(loop,), name="host-reader", daemon=True).start()
        await self._done.wait()
        try:
            await asyncio.wait_for(self.gateway.close(), CLOSE_TIMEOUT)
        except Exception:
            log.exception("closing the gateway failed")

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            try:
                message = self.conn.recv()
            except (EOFError, OSError):
                _exit_soon()
                loop.call_soon_threadsafe(self._done.set)
                return
            loop.call_soon_threadsafe(self._dispatch, message)

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        if message[0] == "ack":
            _, stored, lost = message
            self.acks.settle(stored, True)
            self.acks.settle(lost, False)
            return
        _, req_id, method, args, kwargs = message
        task = asyncio.get_running_loop().create_task(self._call(req_id, method, args, kwargs))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _call(
        self, req_id: int, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        try:
            result = await self._run(method, args, kwargs)
        except Exception as exc:
            self._reply(req_id, False, _portable(exc))
        else:
            self._reply(req_id, True, result)

    def _reply(self, req_id: int, ok: bool, result: Any) -> None:
        try:
            self.emit(("reply", req_id, ok, result))
        except Exception as exc:  # an unpicklable result or exception: still answer
            self.emit(("reply", req_id, False, GatewayError(f"unpicklable reply: {exc}")))

    async def _run(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if method == "start":
            spec: SessionSpec = args[0]
            self.acks.drop_session(spec.session_id)  # a replaced run never acks its events
            return await self.gateway.start(spec, self.sink)
        if method == "running":
            return [sid for sid in args[0] if self.gateway.is_running(sid)]
        if method == "ping":
            return os.getpid()
        if method == "close":
            self._done.set()
            return None
        if method in FORWARDED:
            try:
                return await getattr(self.gateway, method)(*args, **kwargs)
            finally:
                if method in ENDS_SESSION:  # nobody acks for a stopped session: free them
                    self.acks.drop_session(args[0])
        raise GatewayError(f"unknown host method {method!r}")


def _portable(exc: Exception) -> Exception:
    """An exception that survives pickling back to the manager, keeping gateway errors' types."""
    if isinstance(exc, GatewayError):
        return exc
    return GatewayError(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main(sys.argv)
