"""Shared fixtures: a throwaway PostgreSQL database, an SQLite file, Redis, and a clean app.

Tests run against real PostgreSQL and Redis (127.0.0.1). Each test session creates its own
database and drops it at the end, so parallel runs and leftovers never collide.
"""

from __future__ import annotations

import base64
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy import text

os.environ.setdefault("APP_ENV", "test")
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
os.environ.setdefault("LOG_LEVEL", "WARNING")

if TYPE_CHECKING:
    from whatsapp_saas.bootstrap import App
    from whatsapp_saas.inbox.media import LocalMediaStore

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _pg_url_for(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def create_pg_database(prefix: str = "wa_test") -> str:
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    """Apply every Alembic migration to ``url`` (the same path ``make run`` takes)."""
    from alembic.config import Config

    from alembic import command

    config = Config(str(Path(__file__).resolve().parents[1] / "alembic.ini"))
    config.attributes["configure_logging"] = False
    with _database_env(url):
        command.upgrade(config, "head")


class _database_env:
    """Point settings and the engine at ``url`` for the duration of a block."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> None:
        point_app_at(self.url)

    def __exit__(self, *exc: object) -> None:
        return None


def point_app_at(url: str) -> None:
    from whatsapp_saas.config import reset_settings_cache
    from whatsapp_saas.db import reset_engine

    os.environ["DATABASE_URL"] = url
    reset_settings_cache()
    reset_engine()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    name = create_pg_database()
    url = _pg_url_for(name)
    migrate(url)
    yield url
    from whatsapp_saas.db import reset_engine

    reset_engine()
    drop_pg_database(name)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "app.db"
    url = f"sqlite:///{path}"
    migrate(url)
    return url


def _truncate_all(url: str) -> None:
    from sqlmodel import SQLModel

    from whatsapp_saas.bootstrap import load_models

    load_models()
    tables = [t.name for t in SQLModel.metadata.sorted_tables]
    if url.startswith("sqlite"):
        _delete_all_rows(tables)
    else:
        _truncate_with_retry(tables)


def _delete_all_rows(tables: list[str]) -> None:
    from whatsapp_saas.db import get_engine

    with get_engine().begin() as conn:
        for table in reversed(tables):
            conn.execute(text(f'DELETE FROM "{table}"'))


def _truncate_with_retry(tables: list[str], attempts: int = 5) -> None:
    """TRUNCATE every table. A background thread an earlier test left behind (a spine runner,
    a delivery worker winding down) may still hold a read lock on one of them; TRUNCATE then
    deadlocks or times out and PostgreSQL rolls it back, so trying again is safe."""
    from sqlalchemy.exc import OperationalError

    from whatsapp_saas.db import get_engine

    statement = "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
    for attempt in range(attempts):
        try:
            with get_engine().begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '5s'"))
                conn.execute(text(statement))
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


# The graph build_graph built last: the one whose handlers the bus runs now (tests that start
# nodes of their own join its node registry, services reach them through its control).
_built: list[App] = []


def build_graph(**parts: object) -> App:
    """The process graph the tests use: the real parts, built the way every process builds
    them (``bootstrap``); the simulator is the only WhatsApp fake. ``parts`` go to bootstrap
    (role, faster manager settings, a given simulator)."""
    from whatsapp_saas.bootstrap import Role, bootstrap
    from whatsapp_saas.config import get_settings

    role = parts.pop("role", Role.EMBEDDED)
    for previous in _built:  # its announcer would only pop nothing on every commit
        previous.announcer.uninstall()
    graph = bootstrap(get_settings(), role, **parts)  # type: ignore[arg-type]
    _built[:] = [graph]
    return graph


def current_graph() -> App:
    """The graph of the running test (the ``db``/``any_db`` fixtures build one)."""
    if not _built:
        return build_graph()
    return _built[0]


@contextmanager
def media_dir(path: Path) -> Iterator[LocalMediaStore]:
    """Point MEDIA_DIR (so every store the settings build) at ``path`` for a block."""
    from whatsapp_saas.config import reset_settings_cache
    from whatsapp_saas.inbox.media import LocalMediaStore

    previous = os.environ.get("MEDIA_DIR")
    os.environ["MEDIA_DIR"] = str(path)
    reset_settings_cache()
    try:
        yield LocalMediaStore(path)
    finally:
        if previous is None:
            os.environ.pop("MEDIA_DIR", None)
        else:
            os.environ["MEDIA_DIR"] = previous
        reset_settings_cache()


@pytest.fixture
def db(postgres_url: str) -> Iterator[str]:
    """A clean, migrated PostgreSQL database for one test (its graph built); yields its URL."""
    point_app_at(postgres_url)
    _truncate_all(postgres_url)
    build_graph()
    yield postgres_url


@pytest.fixture(params=["postgres", "sqlite"])
def any_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """Core service tests run on both databases."""
    url = request.getfixturevalue("postgres_url" if request.param == "postgres" else "sqlite_url")
    point_app_at(url)
    _truncate_all(url)
    build_graph()
    yield url


@pytest.fixture
def redis_url() -> str:
    """The Redis database reserved for tests.

    Not flushed: tests run beside each other (and beside live managers holding leases), so
    each test namespaces its own keys and cleans up only those.
    """
    return TEST_REDIS_URL
