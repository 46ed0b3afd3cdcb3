"""Which engine the session hosts run, and where the simulator is.

The manager process never imports an engine: it passes a driver name and plain options to its
session-host processes, which build the gateway there (an engine crash stays in the host).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

from whatsapp_saas.config import Settings, get_settings
from whatsapp_saas.whatsapp.drivers.registry import build_gateway as registry_build_gateway
from whatsapp_saas.whatsapp.drivers.registry import spec_for
from whatsapp_saas.whatsapp.gateway import Gateway

log = logging.getLogger(__name__)


class SimulatorHost:
    """Where this process reaches the simulated network: ``SIMULATOR_URL``, or a simulator
    started in this process (once, on ``SIMULATOR_PORT``), or shared with the process of this
    app that already runs it there.

    The process graph holds one (``App.simulator``): the manager's sessions and the
    "Simulated phone" page ask the same host, so they see one network.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._server: Any = None  # the in-process simulator's handle
        self._shared_url: str | None = None  # a simulator another process of this app started
        self._lock = threading.Lock()

    def url(self) -> str:
        settings = self.settings
        if settings.simulator_url:
            return settings.simulator_url.rstrip("/")
        with self._lock:
            if self._server is not None:
                return str(self._server.url)
            if self._shared_url is not None:
                return self._shared_url
            return self._start()

    def _start(self) -> str:
        from whatsapp_saas.simulator import start_in_background

        settings = self.settings
        # The network is kept under DATA_DIR: a restart of the app must find the devices it
        # linked, or every saved session would come back "not registered".
        state_file = simulator_state_file(settings)
        try:
            self._server = start_in_background(
                "127.0.0.1", port=settings.simulator_port, state_file=state_file
            )
        except OSError:
            # The port is taken. Another process of this app (a web worker, a manager)
            # started the simulator there: share it, so the phone page and the sessions see
            # one network. Anything else on that port: run our own on a free one.
            shared = f"http://127.0.0.1:{settings.simulator_port}"
            if _is_simulator(shared):
                self._shared_url = shared
                return shared
            self._server = start_in_background("127.0.0.1", port=0, state_file=state_file)
        log.info("started the in-process WhatsApp simulator at %s", self._server.url)
        return str(self._server.url)

    def stop(self) -> None:
        with self._lock:
            self._shared_url = None
            server, self._server = self._server, None
        if server is not None:
            server.stop()


def simulator_state_file(settings: Settings) -> Path:
    """Where the in-process simulator keeps its network (devices, phones, pending traffic)."""
    return settings.data_dir / "simulator" / "network.json"


def _is_simulator(url: str) -> bool:
    import httpx

    try:
        return bool(httpx.get(url + "/sim/health", timeout=2).json().get("ok"))
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


def driver_choice(
    settings: Settings | None = None, simulator: SimulatorHost | None = None
) -> tuple[str, dict[str, Any]]:
    """(driver name, options) for the session hosts, from the app settings; a simulated
    driver's sessions reach the network through ``simulator`` (the graph's host)."""
    settings = settings or get_settings()
    spec = spec_for(settings.whatsapp_driver)
    if spec.simulated:
        host = simulator or SimulatorHost(settings)
        return spec.name, {"base_url": host.url()}
    _prepare_neonize_environment()
    return spec.name, {}  # the device name travels in each SessionSpec


def _prepare_neonize_environment() -> None:
    """Hosts are launched from this process's environment, and the Go engine reads only the
    environment it was launched with: put the engine's required settings there first
    (``NEONIZE_BOT_TAG=off``). An operator's explicit value wins, and the driver then refuses
    to start with a clear error instead of silently tagging messages."""
    from whatsapp_saas.whatsapp.drivers.neonize_runtime import ENGINE_ENV  # no engine import

    for key, value in ENGINE_ENV.items():
        os.environ.setdefault(key, value)


def build_gateway(name: str, options: dict[str, Any]) -> Gateway:
    """Runs inside a session host: import and construct the engine (see the registry)."""
    return registry_build_gateway(name, options)
