"""A throwaway PostgreSQL database for a benchmark: create, migrate and point the app at it,
then drop it. Shared by the bench scripts (the tests have their own in tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def create_database(prefix: str) -> tuple[str, str]:
    """A fresh, empty database named ``<prefix>_<pid>``; returns (name, URL)."""
    name = f"{prefix}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    from whatsapp_saas.db import reset_engine

    reset_engine()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def point_app_at(url: str) -> None:
    """Migrate ``url`` to head and make this process's services use it."""
    from alembic.config import Config

    from alembic import command
    from whatsapp_saas.bootstrap import bootstrap
    from whatsapp_saas.config import reset_settings_cache
    from whatsapp_saas.db import reset_engine

    os.environ["DATABASE_URL"] = url
    reset_settings_cache()
    reset_engine()
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")
    bootstrap()
