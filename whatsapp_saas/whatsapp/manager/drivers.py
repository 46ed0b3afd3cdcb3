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

_simulator: Any = None  # the in-process simulator's handle, started at most once per process
_shared_url: str | None = None  # a simulator another process of this app started
_simulator_lock = threading.Lock()


def effective_simulator_url(settings: Settings | None = None) -> str:
    """``SIMULATOR_URL``, or the in-process simulator's URL (started once per process, on
    ``SIMULATOR_PORT``, or shared with the process of this app that already runs it there).

    The "Simulated phone" page uses this to reach the same network the sessions use.
    """
    settings = settings or get_settings()
    if settings.simulator_url:
        return settings.simulator_url.rstrip("/")
    global _simulator, _shared_url
    with _simulator_lock:
        if _simulator is not None:
            return str(_simulator.url)
        if _shared_url is not None:
            return _shared_url
        from whatsapp_saas.simulator import start_in_background

        # The network is kept under DATA_DIR: a restart of the app must find the devices it
        # linked, or every saved session would come back "not registered".
        state_file = simulator_state_file(settings)
        try:
            _simulator = start_in_background(
                "127.0.0.1", port=settings.simulator_port, state_file=state_file
            )
        except OSError:
            # The port is taken. Another process of this app (a web worker, a manager)
            # started the simulator there: share it, so the phone page and the sessions see
            # one network. Anything else on that port: run our own on a free one.
            shared = f"http://127.0.0.1:{settings.simulator_port}"
            if _is_simulator(shared):
                _shared_url = shared
                return shared
            _simulator = start_in_background("127.0.0.1", port=0, state_file=state_file)
        log.info("started the in-process WhatsApp simulator at %s", _simulator.url)
        return str(_simulator.url)


def simulator_state_file(settings: Settings) -> Path:
    """Where the in-process simulator keeps its network (devices, phones, pending traffic)."""
    return settings.data_dir / "simulator" / "network.json"


def _is_simulator(url: str) -> bool:
    import httpx

    try:
        return bool(httpx.get(url + "/sim/health", timeout=2).json().get("ok"))
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


def stop_inprocess_simulator() -> None:
    global _simulator, _shared_url
    with _simulator_lock:
        _shared_url = None
        if _simulator is not None:
            _simulator.stop()
            _simulator = None


def driver_choice(settings: Settings | None = None) -> tuple[str, dict[str, Any]]:
    """(driver name, options) for the session hosts, from the app settings."""
    settings = settings or get_settings()
    spec = spec_for(settings.whatsapp_driver)
    if spec.simulated:
        return spec.name, {"base_url": effective_simulator_url(settings)}
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
