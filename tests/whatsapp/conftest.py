"""Fixtures for the connection manager: a simulator, a tenant, manager nodes, and waiting helpers.

The simulator runs in-process on a free port with short QR lifetimes. Tests talk to it only
through its HTTP control API, like the acceptance test does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis

from tests.conftest import current_graph
from whatsapp_saas.config import reset_settings_cache
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.whatsapp.events import InboundSink, NumberStateChanged, QrCodeUpdated
from whatsapp_saas.whatsapp.manager.namespace import redis_namespace
from whatsapp_saas.whatsapp.manager.node import ManagerNode
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings

T = TypeVar("T")

QR_FIRST_TTL = 4.0
QR_TTL = 1.0
QR_MAX = 2  # all codes expire ~5 s after the first one
MANAGER_REDIS_URL = os.environ.get("TEST_MANAGER_REDIS_URL", "redis://127.0.0.1:6379/12")


def fast_settings(**overrides: Any) -> ManagerSettings:
    values: dict[str, Any] = {
        "start_rate": 50.0,
        "sessions_per_host": 10,
        "lease_ttl": 3.0,
        "reconcile_interval": 0.3,
        "backoff_base": 0.2,
        "backoff_cap": 2.0,
        "snapshot_debounce": 0.3,
        "call_timeout": 10.0,
        "pairing_timeout": 8.0,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return ManagerSettings(**values)


@pytest.fixture(scope="session")
def simulator() -> Iterator[Any]:
    from whatsapp_saas.simulator import start_in_background

    handle = start_in_background(
        "127.0.0.1", 0, qr_first_ttl=QR_FIRST_TTL, qr_ttl=QR_TTL, qr_max=QR_MAX
    )
    yield handle
    handle.stop()


@pytest.fixture
def sim_url(simulator: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SIMULATOR_URL", simulator.url)
    monkeypatch.setenv("WHATSAPP_DRIVER", "simulator")
    reset_settings_cache()
    return str(simulator.url)


@pytest.fixture
def use_redis(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Leases and the control channel over Redis (production shape).

    A Redis database of our own, and only our namespace cleared (never FLUSHDB): the shared
    ``redis_url`` fixture flushes its database at every test, which wipes the live leases of
    any other test run on this machine at that moment.
    """
    from tests.conftest import current_graph

    monkeypatch.setenv("REDIS_URL", MANAGER_REDIS_URL)
    reset_settings_cache()
    current_graph().control.redis_url = MANAGER_REDIS_URL  # the graph was built without
    _clear_namespace()
    yield MANAGER_REDIS_URL
    _clear_namespace()


def _clear_namespace() -> None:
    client = redis.Redis.from_url(MANAGER_REDIS_URL)
    try:
        for key in client.scan_iter(match=redis_namespace() + ":*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
def no_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import current_graph

    monkeypatch.delenv("REDIS_URL", raising=False)
    reset_settings_cache()
    current_graph().control.redis_url = None


@pytest.fixture
def tenant_id(db: str) -> int:
    with session_scope() as session:
        tenant = Tenant(name="Acme")
        session.add(tenant)
        session.flush()
        assert tenant.id is not None
        return tenant.id


class Recorder:
    """Domain events heard on the bus (handlers run in the manager's worker threads)."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self._lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: type[T], number_id: int | None = None) -> list[T]:
        with self._lock:
            found = [e for e in self.events if isinstance(e, kind)]
        return [e for e in found if number_id is None or getattr(e, "number_id", None) == number_id]

    def states(self, number_id: int) -> list[str]:
        return [e.state for e in self.of(NumberStateChanged, number_id)]


@pytest.fixture
def recorder(db: str) -> Recorder:
    found = Recorder()
    current_graph().bus.subscribe(NumberStateChanged, found)
    current_graph().bus.subscribe(QrCodeUpdated, found)
    return found


@pytest.fixture
async def ingest() -> AsyncIterator[IngestPipeline]:
    """The ingest pipeline of a manager process's graph, wired as ``bootstrap`` wires it
    (built apart: a new graph would bring a new bus, and other fixtures subscribed to this one)."""
    from tests.conftest import current_graph
    from whatsapp_saas.bootstrap import ingest_pipeline
    from whatsapp_saas.inbox.media import media_store

    graph = current_graph()
    pipeline = ingest_pipeline(media_store(), graph.nodes.fetch_media, graph.bus)
    yield pipeline
    await pipeline.stop()


@pytest.fixture
async def nodes(
    sim_url: str, ingest: IngestPipeline
) -> AsyncIterator[Callable[..., Awaitable[ManagerNode]]]:
    """Start in-process manager nodes on the simulator, their inbound going to the graph's
    ingest pipeline (``sink=`` gives another); all are stopped at the end. They join the
    graph's node registry, so its control channel reaches them as it reaches a process's."""
    from tests.conftest import current_graph

    started: list[ManagerNode] = []
    graph = current_graph()

    async def start(sink: InboundSink | None = None, **overrides: Any) -> ManagerNode:
        node = ManagerNode(
            fast_settings(**overrides),
            sink=sink or ingest.submit,
            driver=("simulator", {"base_url": sim_url}),
            nodes=graph.nodes,
            bus=graph.bus,  # its async live handlers run on this node's loop
        )
        await node.start()
        started.append(node)
        return node

    yield start
    for node in started:
        if not node.stopping:
            await node.stop()


@pytest.fixture
def sqlite_db(sqlite_url: str, no_redis: None) -> str:
    """The embedded shape: SQLite, no Redis."""
    from tests.conftest import _truncate_all, build_graph, point_app_at

    point_app_at(sqlite_url)
    _truncate_all(sqlite_url)
    build_graph()
    return sqlite_url


@pytest.fixture
def managers(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], subprocess.Popen[bytes]]]:
    """Start ``python -m whatsapp_saas.whatsapp.manager`` processes; each one's output goes to
    ``manager-<pid>.log`` in the test's tmp dir."""
    procs: list[subprocess.Popen[bytes]] = []

    def spawn(env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"manager-{len(procs)}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "whatsapp_saas.whatsapp.manager"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
        procs.append(proc)
        return proc

    yield spawn
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
