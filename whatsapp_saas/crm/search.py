"""CRM search: name, push name, phone, email, company and custom field values, in one clause.

The five are one folded document (:data:`DOCUMENT`). PostgreSQL stores it folded in the
generated column ``contacts.crm_search`` (migration 0011; keep the two identical), which a
trigram GIN index serves for ``LIKE '%…%'``; SQLite folds it per row. Email, company and
field values reach it through ``contacts.crm_text`` (folded when saved,
:func:`whatsapp_saas.crm.profile.touch`). A query that looks like a phone
number ("(11) 98888-7777", "011988887777") is matched by its digits, so every way of writing
one number finds it.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.contacts.search import escape_like
from whatsapp_saas.text_fold import fold, register_sqlite_fold

DOCUMENT = (
    "coalesce(contacts.name, '') || ' ' || coalesce(contacts.push_name, '') || ' ' || "
    "coalesce(contacts.phone, '') || ' ' || coalesce(contacts.crm_text, '')"
)
PHONE_LIKE = re.compile(r"^[\d\s()+\-.]+$")
MIN_PHONE_DIGITS = 4
# A phone search asks the trigram index for its last digits only: the leading ones (country,
# area code) are in nearly every phone, and their trigrams' posting lists cost a scan of the
# whole index; the full digits are then checked on the few rows found.
INDEXED_PHONE_DIGITS = 6


def search_term(text: str) -> str:
    """What is looked for: the digits of a phone-like query (without trunk zeros), else the
    folded text."""
    stripped = text.strip()
    digits = "".join(ch for ch in stripped if ch.isdigit())
    if PHONE_LIKE.match(stripped) and len(digits) >= MIN_PHONE_DIGITS:
        return digits.lstrip("0") or digits
    return fold(stripped)


def crm_matches(session: Session, *, text: str) -> sa.ColumnElement[bool]:
    """WHERE clause over ``contacts`` (bind parameters are unique, so two searches in one
    query, e.g. a segment's and the search box's, do not overwrite each other)."""
    term = search_term(text)
    pattern = f"%{escape_like(term)}%"
    if session.get_bind().dialect.name == "postgresql":
        # The stored, already folded document (migration 0011), trigram-indexed; both sides
        # are folded, so LIKE (cheaper per row than ILIKE) is enough.
        stored: sa.ColumnElement[str] = sa.literal_column("contacts.crm_search", sa.Text)
        if term.isdigit() and len(term) > INDEXED_PHONE_DIGITS:
            tail = f"%{term[-INDEXED_PHONE_DIGITS:]}%"
            # concat() hides the full pattern from the index: it is the recheck only.
            exact = sa.func.concat(stored, "").like(pattern, escape="\\")
            return sa.and_(stored.like(tail, escape="\\"), exact)
        return stored.like(pattern, escape="\\")
    register_sqlite_fold(session)
    document = sa.func.wa_fold(sa.literal_column(DOCUMENT))
    return document.like(pattern, escape="\\")
