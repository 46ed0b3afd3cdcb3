"""Finding contacts by any part of their name, push name or number.

Accents and case are ignored on both sides ("jose" finds "José"; see
:mod:`whatsapp_saas.text_fold`). On PostgreSQL the three fields are matched as one folded
expression, which a trigram GIN index (``ix_contacts_search``, migration 0007, when
``pg_trgm`` is available) serves for ``ILIKE '%…%'``; keep :data:`CONTACT_DOCUMENT` identical
to that index. SQLite uses LIKE over the same fold.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.text_fold import fold, register_sqlite_fold

CONTACT_DOCUMENT = (
    "coalesce(contacts.name, '') || ' ' || coalesce(contacts.push_name, '') || ' ' || "
    "coalesce(contacts.phone, '')"
)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contact_matches(session: Session, *, text: str) -> sa.ColumnElement[bool]:
    """WHERE clause over ``contacts``: ``text`` appears in the name, push name or number."""
    pattern = f"%{escape_like(fold(text.strip()))}%"
    if session.get_bind().dialect.name == "postgresql":
        clause = sa.text(f"wa_fold({CONTACT_DOCUMENT}) ILIKE :contact_pattern ESCAPE '\\'")
        return clause.bindparams(contact_pattern=pattern)  # type: ignore[return-value]
    register_sqlite_fold(session)
    return sa.or_(
        sa.func.wa_fold(col(Contact.name)).like(pattern, escape="\\"),
        sa.func.wa_fold(col(Contact.push_name)).like(pattern, escape="\\"),
        col(Contact.phone).like(pattern, escape="\\"),
    )
