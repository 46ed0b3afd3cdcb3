"""Embedded mode: the manager inside the app's process, on SQLite, without Redis."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import build_graph, current_graph
from tests.whatsapp.conftest import fast_settings
from tests.whatsapp.helpers import (
    add_number,
    connect,
    link,
    random_phone,
    snapshot_blob,
    wait_state,
    wait_until,
)
from whatsapp_saas.bootstrap import App
from whatsapp_saas.config import get_settings, reset_settings_cache
from whatsapp_saas.db import session_scope
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import service
from whatsapp_saas.whatsapp.events import QrCodeUpdated
from whatsapp_saas.whatsapp.manager import SimulatorHost
from whatsapp_saas.whatsapp.manager.number_leases import FileLeases


@pytest.fixture
def sqlite_tenant(sqlite_db: str) -> int:
    with session_scope() as session:
        tenant = Tenant(name="Embedded Co")
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        return tenant.id


def embedded_graph() -> App:
    """The web app's embedded graph, without the scheduler (these tests are about the node)."""
    return build_graph(manager_settings=fast_settings(), skip=("scheduler",))


async def test_embedded_manager_on_sqlite(sqlite_tenant: int, sim_url: str) -> None:
    graph = embedded_graph()
    node = graph.manager
    assert node is not None
    await graph.start()
    try:
        assert isinstance(node.leases, FileLeases)
        number_id = add_number(sqlite_tenant)
        with session_scope() as session:
            service.request_connect(TenantScope(session, sqlite_tenant), number_id=number_id)
        await link(sim_url, number_id, random_phone())
        row = await wait_state(number_id, "connected")
        assert row.owner_node == node.node_id
        assert graph.nodes.node_for(number_id) is node
    finally:
        await graph.stop()
    assert node.stopping
    assert graph.nodes.node_for(number_id) is None


@pytest.fixture
def no_simulator_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SIMULATOR_URL", raising=False)
    monkeypatch.setenv("SIMULATOR_PORT", "0")
    reset_settings_cache()
    yield
    reset_settings_cache()


@pytest.fixture
def host(no_simulator_url: None) -> Iterator[Callable[[], SimulatorHost]]:
    """Simulator hosts built from the current settings (as a graph builds its own)."""
    made: list[SimulatorHost] = []

    def make() -> SimulatorHost:
        made.append(SimulatorHost(get_settings()))
        return made[-1]

    yield make
    for one in made:
        one.stop()


def test_simulator_starts_in_process_once_without_simulator_url(
    host: Callable[[], SimulatorHost],
) -> None:
    simulator = host()
    url = simulator.url()
    assert url.startswith("http://127.0.0.1:")
    assert simulator.url() == url, "once per host"
    assert httpx.get(url + "/sim/health").json()["ok"] is True


def test_the_graph_shares_its_simulator_with_the_phone_page(
    sqlite_db: str, no_simulator_url: None
) -> None:
    graph = embedded_graph()
    assert graph.simulator is not None
    try:
        url = graph.simulator.url()
        assert graph.simulator.url() == url
    finally:
        graph.simulator.stop()


def test_a_simulator_already_on_the_port_is_shared(
    host: Callable[[], SimulatorHost], simulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process of the app (a web worker, a manager) already runs it on that port."""
    monkeypatch.setenv("SIMULATOR_PORT", str(simulator.port))
    reset_settings_cache()
    assert host().url() == f"http://127.0.0.1:{simulator.port}"


def test_a_foreign_service_on_the_port_is_not_mistaken_for_one(
    host: Callable[[], SimulatorHost], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setenv("SIMULATOR_PORT", str(port))
        reset_settings_cache()
        url = host().url()
    assert url != f"http://127.0.0.1:{port}"
    assert httpx.get(url + "/sim/health").json()["ok"] is True


async def test_a_restart_with_the_in_process_simulator_keeps_the_link(
    sqlite_tenant: int, no_simulator_url: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make run``, link a number, stop the app, start it again: the number reconnects by
    itself, with no new QR code (the in-process simulator keeps its network in DATA_DIR)."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    reset_settings_cache()
    graph = embedded_graph()
    assert graph.simulator is not None
    await graph.start()
    number_id = add_number(sqlite_tenant)
    try:
        connect(sqlite_tenant, number_id)
        await link(graph.simulator.url(), number_id, random_phone())
        await wait_state(number_id, "connected")
        await wait_until(lambda: snapshot_blob(number_id), 5, "the snapshot after pairing")
    finally:
        await graph.stop()  # the app's process ends, and its simulator with it
    assert (tmp_path / "simulator" / "network.json").exists()

    qr_codes: list[QrCodeUpdated] = []
    graph = embedded_graph()  # the app starts again (its graph re-registers the handlers)
    current_graph().bus.subscribe(QrCodeUpdated, qr_codes.append)
    await graph.start()
    try:
        row = await wait_state(number_id, "connected", timeout=20)
        assert row.qr_code is None
        assert [e for e in qr_codes if e.number_id == number_id] == [], "no new QR code"
    finally:
        await graph.stop()
