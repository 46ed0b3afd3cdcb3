"""The composition root: each role builds its graph, and no module-level wiring comes back.

Building a graph touches no database and starts nothing (``App.start`` does), so these tests
need no services except where a process is started for real.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from whatsapp_saas.bootstrap import PARTS, App, Role, bootstrap, web_role
from whatsapp_saas.config import ConfigurationError, Settings
from whatsapp_saas.delivery.common.reasons import driver_keeps_message_ids
from whatsapp_saas.delivery.worker.assembly import WorkerDelivery
from whatsapp_saas.delivery.worker.embedded import EmbeddedDelivery
from whatsapp_saas.inbox.media import LocalMediaStore
from whatsapp_saas.realtime.channel import LocalChannel
from whatsapp_saas.whatsapp.drivers.registry import DRIVERS, NEONIZE, SIMULATOR, UnknownDriver

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "whatsapp_saas"
KEY = base64.b64encode(os.urandom(32)).decode()


def settings(tmp_path: Path, **values: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="test",
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        **values,  # type: ignore[arg-type]
    )


@pytest.fixture(autouse=True)
def _scheduler_in_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCHEDULER_IN_APP", raising=False)


# --- each role builds the right graph -----------------------------------------------------------


def parts_of(app: App) -> set[str]:
    present = {
        "manager": app.manager is not None,
        "ingest": app.ingest is not None,
        "media_fetcher": app.media_fetcher is not None,
        "embedded_delivery": isinstance(app.delivery, EmbeddedDelivery),
        "worker_delivery": isinstance(app.delivery, WorkerDelivery),
        "scheduler": app.scheduler is not None,
    }
    return {name for name, there in present.items() if there}


MANAGER_PARTS = {"manager", "ingest", "media_fetcher"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.WEB, {"scheduler"}),
        (Role.MANAGER, MANAGER_PARTS),
        (Role.WORKER, {"worker_delivery"}),
        (Role.SCHEDULER, {"scheduler"}),
        (Role.EMBEDDED, MANAGER_PARTS | {"embedded_delivery", "scheduler"}),
    ],
)
def test_each_role_builds_its_parts(tmp_path: Path, role: Role, expected: set[str]) -> None:
    app = bootstrap(settings(tmp_path, redis_url="redis://127.0.0.1:6379/15"), role)
    assert app.role is role
    assert parts_of(app) == expected
    assert set(PARTS) == set(Role), "every role is declared"


def test_the_parts_are_wired_to_each_other(tmp_path: Path) -> None:
    app = bootstrap(settings(tmp_path), Role.EMBEDDED)
    assert app.manager is not None and app.ingest is not None
    assert app.manager.sink == app.ingest.submit, "inbound goes to the graph's pipeline"
    downloader = app.ingest.downloader
    assert downloader is not None
    assert downloader.fetcher is app.media_fetcher
    assert downloader.store is app.media_store
    assert isinstance(app.media_store, LocalMediaStore)
    assert app.media_store.root == (tmp_path / "media").resolve()
    assert app.driver is SIMULATOR and app.drivers is DRIVERS
    assert app.simulator is not None, "a simulated driver's network, for sessions and phone page"
    assert app.scheduler is not None and app.scheduler.scheduler.clock is app.clock
    assert app.outbox_waker is None, "without Redis, embedded delivery wakes in-process"
    assert isinstance(app.realtime, LocalChannel), "without Redis, an in-process channel"


def test_committed_events_reach_the_newest_graphs_bus_once(tmp_path: Path) -> None:
    """The announcer is a part of the graph: a graph built again takes over, with no copy
    left announcing twice, and its live handlers publish on its own channel."""
    from whatsapp_saas.db import announce_after_commit, session_scope
    from whatsapp_saas.inbox.events import TypingIndicated

    bootstrap(settings(tmp_path), Role.WEB)
    app = bootstrap(settings(tmp_path), Role.WEB)
    heard: list[object] = []
    app.bus.subscribe(TypingIndicated, heard.append)
    published: list[object] = []
    app.realtime.publish = published.append  # type: ignore[method-assign,assignment]
    with session_scope() as session:
        announce_after_commit(session, TypingIndicated(1, 2, 3, typing=True))  # live-only
    assert heard == [TypingIndicated(1, 2, 3, typing=True)]
    assert len(published) == 1, "the realtime handler published on this graph's channel"


def test_scheduler_in_app_false_leaves_it_to_its_own_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCHEDULER_IN_APP", "false")
    assert bootstrap(settings(tmp_path), Role.EMBEDDED).scheduler is None
    assert bootstrap(settings(tmp_path), Role.WEB).scheduler is None
    assert bootstrap(settings(tmp_path), Role.SCHEDULER).scheduler is not None


def test_the_web_role_follows_run_manager_in_app(tmp_path: Path) -> None:
    assert web_role(settings(tmp_path)) is Role.EMBEDDED
    assert web_role(settings(tmp_path, run_manager_in_app=False)) is Role.WEB


def test_a_worker_without_redis_refuses_to_build(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        bootstrap(settings(tmp_path), Role.WORKER)


def test_a_real_engine_has_no_simulator(tmp_path: Path) -> None:
    app = bootstrap(settings(tmp_path, whatsapp_driver="neonize"), Role.MANAGER)
    assert app.driver is NEONIZE and app.simulator is None


def test_media_dir_moves_the_graphs_store(tmp_path: Path) -> None:
    app = bootstrap(settings(tmp_path, media_dir=tmp_path / "elsewhere"), Role.WEB)
    assert isinstance(app.media_store, LocalMediaStore)
    assert app.media_store.root == (tmp_path / "elsewhere").resolve()
    assert settings(tmp_path, media_dir="").effective_media_dir == tmp_path / "media"


async def test_a_started_graph_stops_in_reverse_and_twice_is_harmless(tmp_path: Path) -> None:
    app = bootstrap(settings(tmp_path), Role.SCHEDULER)
    assert app.scheduler is not None
    await app.start()
    assert app.scheduler.running
    await app.stop()
    assert not app.scheduler.running
    await app.stop()


# --- the driver registry ------------------------------------------------------------------------


def test_the_registry_declares_what_the_gateways_do() -> None:
    from whatsapp_saas.whatsapp.drivers.simulator import SimulatorGateway

    assert SimulatorGateway.name == SIMULATOR.name
    assert SimulatorGateway.fixed_message_ids is SIMULATOR.fixed_message_ids
    source = (PACKAGE / "whatsapp" / "drivers" / "neonize_driver.py").read_text()
    assert 'name = "neonize"' in source and "fixed_message_ids = False" in source
    assert NEONIZE.fixed_message_ids is False
    assert set(DRIVERS) == {"simulator", "neonize"}


def test_delivery_asks_the_registry_for_fixed_ids() -> None:
    assert driver_keeps_message_ids("simulator") is True
    assert driver_keeps_message_ids("neonize") is False
    with pytest.raises(UnknownDriver):
        driver_keeps_message_ids("baileys")


def test_nothing_outside_the_registry_and_config_matches_driver_names() -> None:
    allowed = {
        "whatsapp_saas/config.py",  # the setting's own values and its production check
        "whatsapp_saas/whatsapp/drivers/registry.py",
        "whatsapp_saas/whatsapp/drivers/simulator.py",  # name = "simulator"
        "whatsapp_saas/whatsapp/drivers/neonize_driver.py",
        "whatsapp_saas/whatsapp/drivers/neonize_runtime.py",  # logger names
        "whatsapp_saas/whatsapp/manager/driver_choice.py",  # the simulator's state folder
        "whatsapp_saas/whatsapp_saas.py",  # the page's title key
    }
    pattern = re.compile(r"""==\s*["'](simulator|neonize)["']|["'](simulator|neonize)["']\s*==""")
    offenders = [
        path
        for path in _sources()
        if path not in allowed and pattern.search((ROOT / path).read_text())
    ]
    assert offenders == [], "ask the driver registry for a capability instead"


# --- production settings: no entry point can skip the check ------------------------------------


def test_production_settings_refuse_sqlite(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SQLite"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            app_env="production",
            session_encryption_key=KEY,
            database_url=f"sqlite:///{tmp_path / 'app.db'}",
            redis_url="redis://r",
            whatsapp_driver="neonize",
        )


def _production_env_without_database(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        APP_ENV="production",
        SESSION_ENCRYPTION_KEY=KEY,
        REDIS_URL="redis://127.0.0.1:6379/15",
        WHATSAPP_DRIVER="neonize",
        DATA_DIR=str(tmp_path),
    )
    return env


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=tmp_path,  # no .env of the checkout
        env=_production_env_without_database(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["-m", "whatsapp_saas.scheduling"],
        ["-m", "whatsapp_saas.whatsapp.manager"],
        # --max-fails: taskiq would otherwise restart the failing worker forever
        [
            "-m",
            "taskiq",
            "worker",
            "whatsapp_saas.delivery.worker.broker:broker",
            "whatsapp_saas.delivery.worker.tasks",
            "--workers",
            "1",
            "--max-fails",
            "1",
        ],
    ],
    ids=["scheduler", "manager", "worker"],
)
def test_a_production_process_without_database_url_refuses_to_start(
    tmp_path: Path, args: list[str]
) -> None:
    done = _run(args, tmp_path)
    assert done.returncode != 0
    assert "DATABASE_URL is missing; production needs PostgreSQL" in done.stderr + done.stdout
    assert not list(tmp_path.glob("*.db")), "no SQLite file was created"


# --- the Reflex seam ----------------------------------------------------------------------------


def test_the_graph_travels_on_the_reflex_app(tmp_path: Path) -> None:
    """The served app carries it (the Simulated phone page's browser test reads it through
    ``current_graph``); a stand-in object here: a second ``rx.App`` in the test process would
    take over Reflex's registration context from the real one."""
    from types import SimpleNamespace
    from typing import Any

    from whatsapp_saas.ui.graph import attach_graph, graph_of

    app: Any = SimpleNamespace()
    with pytest.raises(RuntimeError, match="attach_graph"):
        graph_of(app)
    graph = bootstrap(settings(tmp_path), Role.WEB)
    attach_graph(app, graph)
    assert graph_of(app) is graph


# --- no module-level wiring comes back ----------------------------------------------------------

# Module-level mutable state that is allowed, each with why. Anything else named like wiring
# (``global x``, ``_x = None``/``[]``/``{}`` at module level, ``def set_x`` installing one)
# fails the test below: build it in bootstrap and pass it in.
ALLOWED_GLOBALS = {
    # the engine is an optional module, imported lazily once (never in the manager process)
    ("whatsapp_saas/whatsapp/drivers/neonize_runtime.py", "_neonize"),
}
ALLOWED_SETTERS = {
    ("whatsapp_saas/whatsapp/drivers/neonize_runtime.py", "set_engine_log_level"),  # a level
}
GLOBAL_ASSIGNMENT = re.compile(
    r"^(_[a-z_]+)\s*(?::[^=\n]*)?=\s*(None|\[\]|\{\}|set\(\)|dict\(\)|list\(\))\s*(#.*)?$",
    re.MULTILINE,
)
GLOBAL_STATEMENT = re.compile(r"^\s+global\s+([\w, ]+)$", re.MULTILINE)
# A module-level instance of a part the graph owns (``bus = EventBus()``), or a module-level
# cache (``_cache = OrderedDict()``): one per graph instead, held by whoever uses it.
GRAPH_PART_CLASSES = (
    "EventBus|IngestPipeline|InboxHooks|TypingLookup|Control|LocalNodes|SendAgents"
    "|StreamNotifier|LocalChannel|RedisChannel|CommitAnnouncer|OrderedDict|defaultdict"
)
MODULE_INSTANCE = re.compile(
    rf"^([a-z_]+)\s*(?::[^=\n]*)?=\s*(?:{GRAPH_PART_CLASSES})\(", re.MULTILINE
)
MODULE_SETTER = re.compile(r"^def (set_[a-z_]+)\(", re.MULTILINE)


def _sources() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "/ui/" not in path.as_posix()  # Reflex's set_* handlers are methods, not wiring
    )


def test_no_new_module_level_wiring() -> None:
    found: set[tuple[str, str]] = set()
    setters: set[tuple[str, str]] = set()
    for path in _sources():
        text = (ROOT / path).read_text()
        found |= {(path, m.group(1)) for m in GLOBAL_ASSIGNMENT.finditer(text)}
        found |= {(path, m.group(1)) for m in MODULE_INSTANCE.finditer(text)}
        for m in GLOBAL_STATEMENT.finditer(text):
            found |= {(path, name.strip()) for name in m.group(1).split(",")}
        setters |= {(path, m.group(1)) for m in MODULE_SETTER.finditer(text)}
    setters = {s for s in setters if _is_wiring_setter(*s)}
    assert found - ALLOWED_GLOBALS == set(), "module-level wiring: build it in bootstrap"
    assert setters - ALLOWED_SETTERS == set(), "a setter installing wiring: pass it in instead"


def _is_wiring_setter(path: str, name: str) -> bool:
    """A module-level ``set_x`` that assigns a module global (services' ``set_x(scope, …)``
    write rows, not wiring)."""
    text = (ROOT / path).read_text()
    body = text.split(f"def {name}(", 1)[1].split("\ndef ", 1)[0]
    return "global " in body


def test_the_allow_list_has_no_stale_entries() -> None:
    for path, name in ALLOWED_GLOBALS | ALLOWED_SETTERS:
        assert name in (ROOT / path).read_text(), f"{path}: {name} is gone; drop it from the list"
