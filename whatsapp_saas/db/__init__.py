"""Database engine and sessions (sync SQLModel over psycopg 3 or SQLite).

Events collected on a session with :func:`announce_after_commit` are written to the events
table just before that session commits, in the same transaction (the durable spine, see
:mod:`whatsapp_saas.events`), and handed to the live subscribers only after the commit; a
rollback drops them. So an event exists if and only if its transaction committed, and
browsers, automations and workers never hear of data that does not exist.

:mod:`whatsapp_saas.db.sqlutil` holds the SQL helpers that must work the same on PostgreSQL and
SQLite (``INSERT … ON CONFLICT DO NOTHING``, the dialect's name), shared by every package.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, create_engine

from whatsapp_saas.config import get_settings
from whatsapp_saas.events import store

PENDING_KEY = "pending_announcements"
# Events already written inside a released savepoint, announced when the outermost commits.
RECORDED_KEY = "recorded_announcements"
# Per open savepoint: (pending events, how many recorded) when it began, restored if it rolls back.
_MARKS_KEY = "announcement_marks"
Announcer = Callable[[list[Any]], None]


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


class CommitAnnouncer:
    """Hands each committed session's events to ``announce``: the live side of the spine.

    One per process graph (``App.announcer``); bootstrap installs it. Recording needs no
    seam: it happens in every process. The newest installed announcer takes the events
    (they are handed over once), so a graph built again replaces the one before it.
    """

    def __init__(self, announce: Announcer) -> None:
        self.announce = announce

    def install(self) -> None:
        if not event.contains(Session, "after_commit", self._after_commit):
            event.listen(Session, "after_commit", self._after_commit, insert=True)

    def uninstall(self) -> None:
        if event.contains(Session, "after_commit", self._after_commit):
            event.remove(Session, "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        # SQLAlchemy fires after_commit on a savepoint's release too: nothing is committed yet.
        if session.in_nested_transaction():
            return
        committed = session.info.pop(RECORDED_KEY, []) + session.info.pop(PENDING_KEY, [])
        if committed:
            self.announce(committed)


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
        store.record(session, events=pending)
        if session.in_nested_transaction():  # a savepoint: recorded, announced at the commit
            session.info.setdefault(RECORDED_KEY, []).extend(pending)
            pending.clear()


@event.listens_for(Session, "after_commit")
def _forget_announcements(session: Session) -> None:
    # Runs after any CommitAnnouncer (installed in front); without one, nobody listens live.
    if session.in_nested_transaction():  # a savepoint released: keep what it recorded
        session.info.get(_MARKS_KEY, {}).pop(session.get_nested_transaction(), None)
        return
    for key in (PENDING_KEY, RECORDED_KEY, _MARKS_KEY):
        session.info.pop(key, None)


@event.listens_for(Session, "after_rollback")
def _drop_announcements(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint's: see _restore_announcements
        for key in (PENDING_KEY, RECORDED_KEY, _MARKS_KEY):
            session.info.pop(key, None)


@event.listens_for(Session, "after_transaction_create")
def _mark_announcements(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        pending = list(session.info.get(PENDING_KEY, ()))
        recorded = len(session.info.get(RECORDED_KEY, ()))
        session.info.setdefault(_MARKS_KEY, {})[transaction] = (pending, recorded)


@event.listens_for(Session, "after_transaction_end")
def _restore_announcements(session: Session, transaction: SessionTransaction) -> None:
    """A savepoint that ended without being released rolled back: what it announced goes."""
    mark = session.info.get(_MARKS_KEY, {}).pop(transaction, None) if transaction.nested else None
    if mark is None:
        return
    pending, recorded = mark
    session.info[PENDING_KEY] = pending
    del session.info.get(RECORDED_KEY, [])[recorded:]
