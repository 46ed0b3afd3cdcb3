"""Opt-out: a contact who writes a stop keyword never gets campaigns or follow-ups again.

The keyword must be the whole message (ignoring case, accents, punctuation and emoji), so
"Parar!" opts out while "não vou parar de comprar" does not. Every opt-out is logged with its
time, source and the message that caused it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.models import ContactOptOut
from whatsapp_saas.tenancy.scope import TenantScope


def normalise(text: str) -> str:
    """Upper-case letters and digits only, single-spaced, accents removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.upper().split())


KEYWORD_TEXT_MAX = 80  # longer messages are conversation, not a stop request


def matched_keyword(text: str | None, keywords: Iterable[str]) -> str | None:
    """The stop keyword ``text`` consists of, or None."""
    if not text or len(text) > KEYWORD_TEXT_MAX:
        return None
    said = normalise(text)
    for keyword in keywords:
        if said and said == normalise(keyword):
            return keyword
    return None


def is_opted_out(scope: TenantScope, *, contact_id: int) -> bool:
    return bool(opted_out_among(scope, contact_ids=[contact_id]))


def opted_out_among(scope: TenantScope, *, contact_ids: Iterable[int]) -> set[int]:
    wanted = list(set(contact_ids))
    if not wanted:
        return set()
    rows = scope.all(
        ContactOptOut,
        col(ContactOptOut.contact_id).in_(wanted),
        col(ContactOptOut.revoked_at).is_(None),
    )
    return {row.contact_id for row in rows}


def record_opt_out(
    scope: TenantScope,
    *,
    contact_id: int,
    source: str,
    keyword: str | None = None,
    message_id: int | None = None,
) -> ContactOptOut:
    """Log an opt-out; an already opted-out contact keeps its first entry."""
    existing = scope.first(
        ContactOptOut,
        ContactOptOut.contact_id == contact_id,
        col(ContactOptOut.revoked_at).is_(None),
    )
    if existing is not None:
        return existing
    row = ContactOptOut(
        tenant_id=scope.tenant_id,
        contact_id=contact_id,
        source=source,
        keyword=keyword,
        message_id=message_id,
        opted_out_at=utcnow(),
    )
    try:
        with scope.session.begin_nested():  # the hook and the scan may race; one row wins
            scope.add(row)
            scope.session.flush()
    except IntegrityError:
        winner = scope.first(
            ContactOptOut,
            ContactOptOut.contact_id == contact_id,
            col(ContactOptOut.revoked_at).is_(None),
        )
        assert winner is not None
        return winner
    return row


def revoke_opt_out(scope: TenantScope, *, contact_id: int) -> bool:
    """The contact asked to hear from us again (kept in the log as revoked)."""
    rows = scope.all(
        ContactOptOut,
        ContactOptOut.contact_id == contact_id,
        col(ContactOptOut.revoked_at).is_(None),
    )
    for row in rows:
        row.revoked_at = utcnow()
        scope.session.add(row)
    return bool(rows)
