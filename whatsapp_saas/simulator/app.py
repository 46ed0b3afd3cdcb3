"""Builds the simulator's aiohttp application and runs it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from whatsapp_saas.simulator import control_api, driver_api
from whatsapp_saas.simulator.linking import QrSettings
from whatsapp_saas.simulator.network import Network
from whatsapp_saas.simulator.persistence import StateFile
from whatsapp_saas.simulator.protocol import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)

DEFAULT_PORT = 7781


@dataclass(frozen=True, slots=True)
class SimulatorOptions:
    qr: QrSettings = field(default_factory=QrSettings)
    state_file: Path | None = None


def create_app(options: SimulatorOptions | None = None) -> web.Application:
    options = options or SimulatorOptions()
    app = web.Application(client_max_size=MAX_MESSAGE_BYTES)
    net = Network(options.qr)
    app[driver_api.NETWORK] = net
    driver_api.setup(app)
    app.router.add_routes(control_api.routes)
    if options.state_file is not None:
        state = StateFile(options.state_file, net)
        state.load()
        app.on_cleanup.append(lambda _app: _save(state))
    return app


async def _save(state: StateFile) -> None:
    state.save()


async def start_site(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve ``app``; returns the runner (to clean up) and the bound port (``port=0`` picks)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, shutdown_timeout=2.0, reuse_address=True)
    await site.start()
    bound = runner.addresses[0][1]
    log.info("WhatsApp simulator listening on http://%s:%s", host, bound)
    return runner, int(bound)
