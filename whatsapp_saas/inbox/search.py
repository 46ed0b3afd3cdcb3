"""Text search over messages, ignoring accents and case: PostgreSQL full-text search, LIKE on
SQLite. It looks at the body, the caption and the attachment's file name.

Accents and case are folded on both sides by one function, ``wa_fold``: on PostgreSQL a SQL
function (migration 0007; unaccent, or translate without it), on SQLite the Python
:func:`whatsapp_saas.text_fold.fold` registered on the connection. The PostgreSQL
expression must stay identical to the GIN index of migration 0007 (``ix_messages_search``),
or the planner cannot use it; hence one constant for both, and the 'simple' configuration
written inline (a bound parameter would hide it from the planner).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from whatsapp_saas.contacts.search import escape_like
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.text_fold import fold, register_sqlite_fold

SEARCH_DOCUMENT = "wa_message_document(body, caption, media_filename)"
SEARCH_VECTOR = f"to_tsvector('simple', {SEARCH_DOCUMENT})"
QUERY_MAX = 200


def file_words(filename: str | None) -> str:
    """'Nota_Fiscal-março.pdf' -> 'Nota Fiscal março pdf', so each part can be searched."""
    return " ".join((filename or "").replace("_", " ").replace("-", " ").replace(".", " ").split())


def clean_query(text: str | None) -> str | None:
    """The search words, or None for an empty search; a clear error for absurd input."""
    words = " ".join((text or "").split())
    if not words:
        return None
    if len(words) > QUERY_MAX:
        raise UserError("error.too_long", limit=QUERY_MAX)
    return words


def message_matches(session: Session, *, words: str) -> sa.ColumnElement[bool]:
    """WHERE clause over ``messages``: every word appears in the body, caption or file name."""
    if session.get_bind().dialect.name == "postgresql":
        vector = f"to_tsvector('simple', {_qualified(SEARCH_DOCUMENT)})"
        clause = sa.text(f"{vector} @@ plainto_tsquery('simple', wa_fold(:search_words))")
        return clause.bindparams(search_words=words)  # type: ignore[return-value]
    _register_sqlite_functions(session)
    document = sa.func.wa_message_document(
        col(Message.body), col(Message.caption), col(Message.media_filename)
    )
    return sa.and_(
        *(document.like(f"%{escape_like(fold(w))}%", escape="\\") for w in words.split())
    )


def estimated_matches(session: Session, *, tenant_id: int, words: str) -> int:
    """The planner's guess of how many messages match (PostgreSQL; from the GIN statistics).

    Costs a plan, not a scan; the conversation list uses it to pick how to search.
    """
    if session.get_bind().dialect.name != "postgresql":
        return 0
    sql = (
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM messages WHERE tenant_id = :tenant_id "
        f"AND {SEARCH_VECTOR} @@ plainto_tsquery('simple', wa_fold(:search_words))"
    )
    plan = session.execute(sa.text(sql), {"tenant_id": tenant_id, "search_words": words}).scalar()
    return int(plan[0]["Plan"]["Plan Rows"]) if plan else 0


def _sqlite_document(body: str | None, caption: str | None, filename: str | None) -> str:
    return fold(f"{body or ''} {caption or ''} {file_words(filename)}")


def _register_sqlite_functions(session: Session) -> None:
    """SQLite has no wa_message_document: give this connection ours (cheap; idempotent)."""
    register_sqlite_fold(session)  # the query side folds with it too
    raw = session.connection().connection.driver_connection
    raw.create_function(  # type: ignore[union-attr]
        "wa_message_document", 3, _sqlite_document, deterministic=True
    )


def _qualified(document: str) -> str:
    return document.replace("(body, caption, media_filename)", _QUALIFIED_ARGS)


_QUALIFIED_ARGS = "(messages.body, messages.caption, messages.media_filename)"
