"""Run the simulator inside another program, on its own thread and event loop.

The app uses this when ``WHATSAPP_DRIVER=simulator`` and no ``SIMULATOR_URL`` is set, and
tests use it for speed. Its own loop keeps the simulator's timers and sockets independent of
the host's loop, so the driver still talks to it over a real socket.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from whatsapp_saas.simulator.app import SimulatorOptions, create_app, start_site
from whatsapp_saas.simulator.driver_api import NETWORK
from whatsapp_saas.simulator.linking import QrSettings
from whatsapp_saas.simulator.network import Network


@dataclass
class SimulatorHandle:
    url: str
    host: str
    port: int
    app: web.Application = field(repr=False)
    _loop: asyncio.AbstractEventLoop = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _runner: web.AppRunner = field(repr=False)

    @property
    def network(self) -> Network:
        """For in-process inspection only; touch it from the simulator's loop (``call``)."""
        return self.app[NETWORK]

    def stop(self, timeout: float = 10.0) -> None:
        """Close every driver socket and the listener, then end the thread. Idempotent."""
        if not self._thread.is_alive():
            return
        done = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        try:
            done.result(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    async def aclose(self) -> None:
        """``stop()`` without blocking the caller's event loop."""
        await asyncio.to_thread(self.stop)


def start_in_background(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    qr_first_ttl: float = 60.0,
    qr_ttl: float = 20.0,
    qr_max: int = 6,
    state_file: Path | str | None = None,
) -> SimulatorHandle:
    """Start a simulator on ``host:port`` (0 picks a free port) and return once it listens."""
    options = SimulatorOptions(
        qr=QrSettings(first_ttl=qr_first_ttl, ttl=qr_ttl, max_codes=qr_max),
        state_file=Path(state_file) if state_file else None,
    )
    loop = asyncio.new_event_loop()
    ready: Future[tuple[web.Application, web.AppRunner, int]] = Future()
    thread = threading.Thread(
        target=_serve,
        args=(loop, options, host, port, ready),
        name="whatsapp-simulator",
        daemon=True,
    )
    thread.start()
    app, runner, bound = ready.result(timeout=30)
    return SimulatorHandle(
        url=f"http://{host}:{bound}",
        host=host,
        port=bound,
        app=app,
        _loop=loop,
        _thread=thread,
        _runner=runner,
    )


def _serve(
    loop: asyncio.AbstractEventLoop,
    options: SimulatorOptions,
    host: str,
    port: int,
    ready: Future[tuple[web.Application, web.AppRunner, int]],
) -> None:
    asyncio.set_event_loop(loop)
    try:
        app = create_app(options)
        runner, bound = loop.run_until_complete(start_site(app, host, port))
    except BaseException as exc:
        ready.set_exception(exc)
        loop.close()
        return
    ready.set_result((app, runner, bound))
    try:
        loop.run_forever()
    finally:
        loop.close()


def ensure_simulator(
    simulator_url: str | None, port: int, *, state_file: Path | str | None = None
) -> tuple[str, SimulatorHandle | None]:
    """The simulator URL to use: ``simulator_url`` if set, else a new in-process simulator.

    For ``WHATSAPP_DRIVER=simulator``: pass ``settings.simulator_url`` and
    ``settings.simulator_port``; keep the handle (if any) and ``stop()`` it at shutdown.
    """
    if simulator_url:
        return simulator_url.rstrip("/"), None
    handle = start_in_background(port=port, state_file=state_file)
    return handle.url, handle
