"""Browser tests: a real app (``reflex run --env prod``) on a free port, driven by Chromium.

The app gets a throwaway PostgreSQL database and its own data directory. It runs in its own
process group, so the whole tree (granian workers, bun) is killed at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _pg_url_for, create_pg_database, drop_pg_database, migrate

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
START_TIMEOUT_S = 420


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited early:\n{log.read_text()[-4000:]}")
        try:
            for path in ("/ping", "/healthz", "/login"):
                with urllib.request.urlopen(url + path, timeout=2) as response:
                    assert response.status == 200
            return
        except Exception:
            time.sleep(1)
    raise RuntimeError(f"app did not start in {START_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


def app_environment(port: int, database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "REFLEX_"))}
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        PATH=f"{venv_bin}:{env.get('PATH', '')}",
        DATABASE_URL=database_url,
        DATA_DIR=str(data_dir),
        APP_BASE_URL=f"http://127.0.0.1:{port}",
        APP_ENV="test",
        REFLEX_TELEMETRY_ENABLED="false",
        DO_NOT_TRACK="1",
        REFLEX_CHECK_LATEST_VERSION="0",
        LOG_LEVEL="WARNING",
        # Every browser signs up from 127.0.0.1; the production default (10 an hour per
        # address) would refuse the suite's later sign-ups.
        SIGNUP_MAX_PER_HOUR="1000",
    )
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


class RunningApp:
    def __init__(self, url: str, database_url: str, simulator_url: str) -> None:
        self.url = url
        self.database_url = database_url
        self.simulator_url = simulator_url


@contextlib.contextmanager
def live_app_process(data_dir: Path, root: Path = ROOT, **extra_env: str) -> Iterator[RunningApp]:
    """Start the app on free ports with a throwaway database; stop and drop it afterwards.

    ``root`` is the checkout to run from; a second app running at the same time needs its
    own copy (see :func:`app_copy`): Reflex builds into the checkout's ``.web`` folder.
    """
    name = create_pg_database("wa_browser")
    database_url = _pg_url_for(name)
    migrate(database_url)
    port, simulator_port = free_port(), free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "app.log"
    command = [
        str(Path(sys.executable).parent / "reflex"),
        "run",
        "--env",
        "prod",
        "--frontend-port",
        str(port),
        "--backend-port",
        str(port),
        "--loglevel",
        "warning",
    ]
    env = app_environment(
        port,
        database_url,
        data_dir,
        WHATSAPP_DRIVER="simulator",
        SIMULATOR_PORT=str(simulator_port),
        SIMULATOR_URL="",
        **extra_env,
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, process, log)
        yield RunningApp(url, database_url, f"http://127.0.0.1:{simulator_port}")
    finally:
        _stop(process)
        drop_pg_database(name)


def app_copy(dest: Path) -> Path:
    """A copy of the app's sources for a second, simultaneous app (its own ``.web``)."""
    ignore = shutil.ignore_patterns(
        ".venv", ".web", ".states", ".git", "data", "__pycache__", ".pytest_cache", "tests"
    )
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    with live_app_process(tmp_path_factory.mktemp("appdata")) as app:
        yield app


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "en-US", "timezone_id": "America/Sao_Paulo"}
