"""Finding contacts by any part of their name, push name or number.

On PostgreSQL the three fields are matched as one expression, which a trigram GIN index
(``ix_contacts_search``, migration 0003, when ``pg_trgm`` is available) serves for
``ILIKE '%…%'``; keep :data:`CONTACT_DOCUMENT` identical to that index. SQLite uses LIKE.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from whatsapp_saas.contacts.models import Contact

CONTACT_DOCUMENT = (
    "coalesce(contacts.name, '') || ' ' || coalesce(contacts.push_name, '') || ' ' || "
    "coalesce(contacts.phone, '')"
)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contact_matches(session: Session, text: str) -> sa.ColumnElement[bool]:
    """WHERE clause over ``contacts``: ``text`` appears in the name, push name or number."""
    pattern = f"%{escape_like(text.strip())}%"
    if session.get_bind().dialect.name == "postgresql":
        clause = sa.text(f"({CONTACT_DOCUMENT}) ILIKE :contact_pattern ESCAPE '\\'")
        return clause.bindparams(contact_pattern=pattern)  # type: ignore[return-value]
    return sa.or_(
        col(Contact.name).ilike(pattern, escape="\\"),
        col(Contact.push_name).ilike(pattern, escape="\\"),
        col(Contact.phone).like(pattern, escape="\\"),
    )
