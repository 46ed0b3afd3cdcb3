"""Fixtures for the delivery tests: settings with short timings, a tenant with a linked number
and a few threads, and a pipeline over a fake transport."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.conftest import media_dir
from tests.delivery.dlv_helpers import (
    FakeTransport,
    make_conversations,
    make_number,
    make_tenant,
    random_phone,
)
from whatsapp_saas.config import reset_settings_cache
from whatsapp_saas.delivery.common.settings import DeliverySettings, reset_delivery_settings


def fast(**overrides: Any) -> DeliverySettings:
    values: dict[str, Any] = {
        "sending_timeout": 5.0,
        "rpc_timeout": 3.0,
        "lost_after": 2.0,
        "sweep_interval": 0.2,
        "backoff_base": 0.05,
        "backoff_cap": 0.2,
        "max_attempts": 4,
        "governor_enabled": False,
    }
    values.update(overrides)
    return DeliverySettings(**values)


@dataclass
class Shop:
    tenant_id: int
    number_id: int
    conversations: list[int]


@pytest.fixture(autouse=True)
def _clean_delivery_globals(tmp_path: Path) -> Iterator[None]:
    reset_delivery_settings()
    with media_dir(tmp_path / "media"):
        yield
    reset_delivery_settings()


def _shop(threads: int = 4) -> Shop:
    tenant_id = make_tenant()
    number_id = make_number(tenant_id)
    phones = [random_phone() for _ in range(threads)]
    return Shop(tenant_id, number_id, make_conversations(tenant_id, number_id, phones))


@pytest.fixture
def shop(any_db: str) -> Shop:
    return _shop()


@pytest.fixture
def pg_shop(db: str) -> Shop:
    return _shop()


class PrivateRedis:
    """A redis-server of our own on a free port: nobody else flushes it, and fault tests may
    stop and restart it without touching the shared one."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(self.workdir)]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None

    def flush(self) -> None:
        redis.Redis.from_url(self.url).flushall()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def dlv_redis(private_redis: PrivateRedis) -> Iterator[str]:
    """A flushed Redis for one test, nobody else's."""
    if private_redis.proc is None or private_redis.proc.poll() is not None:
        private_redis.start()
    private_redis.flush()
    yield private_redis.url


@pytest.fixture
def sqlite_db(sqlite_url: str) -> str:
    """The embedded shape: SQLite (clean)."""
    from tests.conftest import _truncate_all, point_app_at
    from whatsapp_saas.bootstrap import bootstrap

    point_app_at(sqlite_url)
    _truncate_all(sqlite_url)
    bootstrap()
    return sqlite_url


@pytest.fixture(scope="session")
def simulator() -> Iterator[Any]:
    """Our own simulator (long QR lifetimes: twenty numbers link at once on a busy machine)."""
    from whatsapp_saas.simulator import start_in_background

    handle = start_in_background("127.0.0.1", 0, qr_first_ttl=60, qr_ttl=30, qr_max=4)
    yield handle
    handle.stop()


@pytest.fixture
def sim_url(simulator: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SIMULATOR_URL", simulator.url)
    monkeypatch.setenv("WHATSAPP_DRIVER", "simulator")
    reset_settings_cache()
    return str(simulator.url)


@pytest.fixture
def with_redis(dlv_redis: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Production shape: REDIS_URL set (leases, routing, limiter), on our private Redis."""
    from tests.conftest import current_graph

    monkeypatch.setenv("REDIS_URL", dlv_redis)
    reset_settings_cache()
    current_graph().control.redis_url = dlv_redis  # wake-ups reach the nodes over Redis
    return dlv_redis


@pytest.fixture
def without_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    reset_settings_cache()


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()
