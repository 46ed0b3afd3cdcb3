"""Accent- and case-folding for search: 'Pão no MÉIER' -> 'pao no meier'.

PostgreSQL has the same fold as the SQL function ``wa_fold`` (migration 0007, built on
``translate``: immutable, so it can sit in an index, and needs no extension); on SQLite this
module registers the Python version on the connection. Keep the letters in step with that
migration.
"""

from __future__ import annotations

from sqlmodel import Session

# Capitals too: a database created with the C locale lower()s only ASCII.
ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñýÿÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝ"
PLAIN = "aaaaaaeeeeiiiiooooouuuucnyyaaaaaaeeeeiiiiooooouuuucny"
_FOLD = str.maketrans(ACCENTED, PLAIN)


def fold(text: str | None) -> str:
    """What search compares: lower case, without accents."""
    return (text or "").lower().translate(_FOLD)


def register_sqlite_fold(session: Session) -> None:
    """Give this SQLite connection ``wa_fold`` (cheap and idempotent; PostgreSQL has its own)."""
    raw = session.connection().connection.driver_connection
    raw.create_function("wa_fold", 1, fold, deterministic=True)  # type: ignore[union-attr]
