"""Database engine and sessions (sync SQLModel over psycopg 3 or SQLite).

Events collected on a session with :func:`announce_after_commit` are written to the events
table just before that session commits, in the same transaction (the durable spine, see
:mod:`whatsapp_saas.events`), and handed to the live subscribers only after the commit; a
rollback drops them. So an event exists if and only if its transaction committed, and
browsers, automations and workers never hear of data that does not exist.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from whatsapp_saas.config import get_settings
from whatsapp_saas.events import store

PENDING_KEY = "pending_announcements"
Announcer = Callable[[list[Any]], None]

_announcer: Announcer | None = None


def build_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # WAL lets the UI read while a worker writes; foreign keys are off by default in SQLite.
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    settings = get_settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return build_engine(settings.effective_database_url)


def reset_engine() -> None:
    """Forget the cached engine (tests point the app at a fresh database)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()


@contextmanager
def session_scope(*, write: bool = False) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on error, always close.

    ``write=True`` is for background writers that read, then write (the scheduler): on
    SQLite their transaction takes the write lock at once, see :func:`_begin_write`.
    """
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            if write:
                _begin_write(session)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _begin_write(session: Session) -> None:
    """On SQLite, BEGIN IMMEDIATE: wait for the write lock up front (busy timeout).

    A transaction that SQLite starts deferred (the driver's own, or the one a SAVEPOINT opens)
    and that reads before it writes cannot wait for the lock: if another connection wrote in
    between, SQLite answers "database is locked" at once, whatever the busy timeout. That is
    what made the scheduler log "database unavailable; retrying" through every campaign.
    PostgreSQL needs nothing: its row locks and conditional UPDATEs already serialise.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def set_announcer(announcer: Announcer | None) -> None:
    """Install the function that receives committed events: the live side of the spine.

    The one seam between sessions and the process's object graph; bootstrap installs
    ``EventSpine.announce`` once. Recording needs no seam: it happens in every process.
    """
    global _announcer
    _announcer = announcer


def announce_after_commit(session: Session, *events: Any) -> None:
    """Record events in this session's transaction; announce them once it commits."""
    session.info.setdefault(PENDING_KEY, []).extend(events)


@event.listens_for(Session, "before_commit")
def _record_announcements(session: Session) -> None:
    # Last thing before COMMIT, so the tenant's sequence counter is locked only briefly.
    # The ORM's own writes first (a flush may announce more, see realtime/access.py).
    if session.info.get(PENDING_KEY) or session.new or session.dirty or session.deleted:
        session.flush()
    pending = session.info.get(PENDING_KEY)
    if pending:
        store.record(session, pending)


@event.listens_for(Session, "after_commit")
def _flush_announcements(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending and _announcer is not None:
        _announcer(pending)


@event.listens_for(Session, "after_rollback")
def _drop_announcements(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
