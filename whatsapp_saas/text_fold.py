"""Accent- and case-folding for search: 'Pão no MÉIER' -> 'pao no meier'.

PostgreSQL has the same fold as the SQL function ``wa_fold`` (migration 0007: the unaccent
extension, or translate where the server lacks it; immutable, so it can sit in an index); on
SQLite this module registers the Python version on the connection.
"""

from __future__ import annotations

import unicodedata

from sqlmodel import Session


def fold(text: str | None) -> str:
    """What search compares: lower case, without accents (as unaccent: 'ç' -> 'c')."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def register_sqlite_fold(session: Session) -> None:
    """Give this SQLite connection ``wa_fold`` (cheap and idempotent; PostgreSQL has its own)."""
    raw = session.connection().connection.driver_connection
    raw.create_function("wa_fold", 1, fold, deterministic=True)  # type: ignore[union-attr]
