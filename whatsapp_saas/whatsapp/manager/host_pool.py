"""The manager's side of the session hosts: spawn, call, watch, and replace them.

Each host is a fresh interpreter (no inherited engine state, no forked threads). A reader
thread per host turns pipe messages into calls on the manager's event loop; EOF on the pipe
means the host died, and the pool reports its sessions as lost so only they restart.

Inbound events arrive with a :data:`~.acks.Settle` callback (None when the driver acks by
itself); settling it sends the outcome back to the host, batched (:class:`~.acks.AckBatcher`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from whatsapp_saas.whatsapp.gateway import GatewayError, GatewayEvent, SessionNotRunning
from whatsapp_saas.whatsapp.manager.acks import AckBatcher, Settle

log = logging.getLogger(__name__)

EventCallback = Callable[[GatewayEvent, Settle | None], None]
LostCallback = Callable[["HostHandle", set[str]], None]


class HostHandle:
    def __init__(
        self,
        index: int,
        driver: str,
        options: dict[str, Any],
        log_level: str,
        on_event: EventCallback,
    ) -> None:
        self.index = index
        self.sessions: set[str] = set()
        self._driver, self._options, self._log_level = driver, options, log_level
        self._on_event = on_event
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ids = itertools.count(1)
        self._loop = asyncio.get_running_loop()
        self._conn: Connection | None = None
        self._send_lock = threading.Lock()
        self._acks = AckBatcher(self._post)
        self.exited = asyncio.Event()
        self.process: Any = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self) -> None:
        parent_end, child_end = socket.socketpair()
        args = [
            sys.executable,
            "-m",
            "whatsapp_saas.whatsapp.manager.session_host",
            str(child_end.fileno()),
            self._driver,
            json.dumps(self._options),
            self._log_level,
        ]
        self.process = subprocess.Popen(args, pass_fds=[child_end.fileno()], env=_host_env())
        child_end.close()  # only the child may hold it, or EOF would never come
        self._conn = Connection(parent_end.detach())
        threading.Thread(target=self._read, name=f"host-{self.index}-reader", daemon=True).start()

    def _read(self) -> None:
        assert self._conn is not None
        try:
            while True:
                try:
                    message = self._conn.recv()
                except (EOFError, OSError):
                    self._loop.call_soon_threadsafe(self._on_exit)
                    return
                self._loop.call_soon_threadsafe(self._dispatch, message)
        except RuntimeError:
            return  # the manager's loop is closed: nobody is left to tell

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        if message[0] == "event":
            _, event, token = message
            self._on_event(event, None if token is None else self._acks.settler(token))
            return
        _, req_id, ok, result = message
        future = self._pending.pop(req_id, None)
        if future is None or future.done():
            return
        if ok:
            future.set_result(result)
        else:
            future.set_exception(result)

    def _on_exit(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(SessionNotRunning("session host process exited"))
        self._pending.clear()
        self.exited.set()

    def _post(self, message: tuple[Any, ...]) -> None:
        """Fire and forget (acks): a host that is gone takes its unacked events with it."""
        if self._conn is None or self.exited.is_set():
            return
        try:
            with self._send_lock:
                self._conn.send(message)
        except (OSError, ValueError) as exc:
            log.debug("session host %s: acks not sent: %s", self.index, exc)

    async def call(self, method: str, *args: Any, timeout: float = 30.0, **kwargs: Any) -> Any:
        if self.exited.is_set() or self._conn is None:
            raise SessionNotRunning("session host process exited")
        req_id = next(self._ids)
        future: asyncio.Future[Any] = self._loop.create_future()
        self._pending[req_id] = future
        try:
            with self._send_lock:
                self._conn.send(("call", req_id, method, args, kwargs))
        except (OSError, ValueError) as exc:
            self._pending.pop(req_id, None)
            raise SessionNotRunning(f"session host unreachable: {exc}") from exc
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError as exc:
            self._pending.pop(req_id, None)
            raise GatewayError(f"session host did not answer {method} in {timeout:.0f} s") from exc

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()

    async def close(self, timeout: float = 15.0) -> None:
        with contextlib.suppress(GatewayError):
            await self.call("close", timeout=timeout)
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(self.process.wait, timeout)
        self.kill()
        if self._conn is not None:
            self._conn.close()


def _host_env() -> dict[str, str]:
    """The manager's environment, with this package importable however the manager was run."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


class HostPool:
    """Places sessions on hosts (at most ``per_host`` each) and replaces dead hosts."""

    def __init__(
        self,
        driver: str,
        options: dict[str, Any],
        per_host: int,
        on_event: EventCallback,
        on_lost: LostCallback,
        log_level: str = "WARNING",
    ) -> None:
        self.driver, self.options, self.per_host = driver, options, max(1, per_host)
        self.log_level = log_level
        self._on_event, self._on_lost = on_event, on_lost
        self.hosts: list[HostHandle] = []
        self._counter = itertools.count(1)
        self._lock = asyncio.Lock()

    def host_of(self, session_id: str) -> HostHandle | None:
        for host in self.hosts:
            if session_id in host.sessions:
                return host
        return None

    async def place(self, session_id: str) -> HostHandle:
        async with self._lock:
            current = self.host_of(session_id)
            if current is not None:
                return current
            host = (
                min(
                    (h for h in self.hosts if len(h.sessions) < self.per_host),
                    key=lambda h: len(h.sessions),
                    default=None,
                )
                or self._spawn()
            )
            host.sessions.add(session_id)
            return host

    def forget(self, session_id: str) -> None:
        host = self.host_of(session_id)
        if host is not None:
            host.sessions.discard(session_id)

    def _spawn(self) -> HostHandle:
        host = HostHandle(
            next(self._counter), self.driver, self.options, self.log_level, self._on_event
        )
        host.start()
        self.hosts.append(host)
        asyncio.get_running_loop().create_task(self._watch(host))
        log.info("session host %s started (pid %s)", host.index, host.pid)
        return host

    async def _watch(self, host: HostHandle) -> None:
        await host.exited.wait()
        if host in self.hosts:  # not a planned close
            self.hosts.remove(host)
            lost, host.sessions = set(host.sessions), set()
            log.error(
                "session host %s (pid %s) died; restarting its %d sessions",
                host.index,
                host.pid,
                len(lost),
            )
            host.kill()
            self._on_lost(host, lost)
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(host.process.wait, 10)  # reap it: no zombies

    async def close(self) -> None:
        hosts, self.hosts = list(self.hosts), []
        await asyncio.gather(*(host.close() for host in hosts), return_exceptions=True)
