"""Text search over messages: PostgreSQL full-text search, LIKE on SQLite.

The PostgreSQL expression must stay identical to the GIN index of migration 0003
(``ix_messages_search``), or the planner cannot use it; hence one constant for both, and the
'simple' configuration written inline (a bound parameter would hide it from the planner).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from whatsapp_saas.contacts.search import escape_like
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.models import Message

SEARCH_DOCUMENT = "coalesce(body, '') || ' ' || coalesce(caption, '')"
SEARCH_VECTOR = f"to_tsvector('simple', {SEARCH_DOCUMENT})"
QUERY_MAX = 200


def clean_query(text: str | None) -> str | None:
    """The search words, or None for an empty search; a clear error for absurd input."""
    words = " ".join((text or "").split())
    if not words:
        return None
    if len(words) > QUERY_MAX:
        raise UserError("error.too_long", limit=QUERY_MAX)
    return words


def message_matches(session: Session, words: str) -> sa.ColumnElement[bool]:
    """WHERE clause over ``messages``: every word appears in the body or caption."""
    if session.get_bind().dialect.name == "postgresql":
        vector = f"to_tsvector('simple', {_qualified(SEARCH_DOCUMENT)})"
        clause = sa.text(f"{vector} @@ plainto_tsquery('simple', :search_words)")
        return clause.bindparams(search_words=words)  # type: ignore[return-value]
    clauses = []
    for word in words.split():
        pattern = f"%{escape_like(word)}%"
        clauses.append(
            sa.or_(
                col(Message.body).like(pattern, escape="\\"),
                col(Message.caption).like(pattern, escape="\\"),
            )
        )
    return sa.and_(*clauses)


def estimated_matches(session: Session, tenant_id: int, words: str) -> int:
    """The planner's guess of how many messages match (PostgreSQL; from the GIN statistics).

    Costs a plan, not a scan; the conversation list uses it to pick how to search.
    """
    if session.get_bind().dialect.name != "postgresql":
        return 0
    vector = f"to_tsvector('simple', {SEARCH_DOCUMENT})"
    sql = (
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM messages WHERE tenant_id = :tenant_id "
        f"AND {vector} @@ plainto_tsquery('simple', :search_words)"
    )
    plan = session.execute(sa.text(sql), {"tenant_id": tenant_id, "search_words": words}).scalar()
    return int(plan[0]["Plan"]["Plan Rows"]) if plan else 0


def _qualified(document: str) -> str:
    return document.replace("(body", "(messages.body").replace("(caption", "(messages.caption")
