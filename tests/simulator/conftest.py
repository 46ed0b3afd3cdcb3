"""Fixtures for the simulator and its driver: an in-process simulator with short QR timers,
a client for its control API, and a driver pointed at it (helpers live in sim_helpers.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sim_helpers import Recorder, link_session, make_gateway

from whatsapp_saas.simulator import SimulatorClient, SimulatorHandle, start_in_background
from whatsapp_saas.whatsapp.drivers.simulator import SimulatorGateway
from whatsapp_saas.whatsapp.gateway import SessionSpec


@pytest.fixture
def sim() -> Iterator[SimulatorHandle]:
    handle = start_in_background(qr_first_ttl=5.0, qr_ttl=5.0, qr_max=3)
    yield handle
    handle.stop()


@pytest_asyncio.fixture
async def client(sim: SimulatorHandle) -> AsyncIterator[SimulatorClient]:
    async with SimulatorClient(sim.url) as sim_client:
        yield sim_client


@pytest_asyncio.fixture
async def gateway(sim: SimulatorHandle) -> AsyncIterator[SimulatorGateway]:
    gw = make_gateway(sim.url)
    yield gw
    await gw.close()


@pytest.fixture
def spec(tmp_path: Path) -> SessionSpec:
    return SessionSpec(session_id="s1", store_path=tmp_path / "s1" / "store.json")


@pytest_asyncio.fixture
async def linked(gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec) -> Recorder:
    """A session linked to BUSINESS; returns its sink."""
    sink = Recorder()
    await link_session(gateway, client, spec, sink)
    return sink
