"""Which open tabs may still receive a tenant's live updates: one query for all of them.

The same rule as :func:`whatsapp_saas.accounts.service.resolve_session` (not revoked, not
expired, user active), plus the tenant and the role the tab was opened with: a tab whose user
was moved to another role must load its page again, with what the new role may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from whatsapp_saas.accounts.models import AuthSession, User
from whatsapp_saas.models_base import as_utc, utcnow


@dataclass(frozen=True)
class TabSession:
    """What a tab says about itself: its client token, its session token's hash and role.

    The hash is all a tab has: the token itself never reaches Reflex's state (see
    ``ui.auth.session_routes``)."""

    client_token: str
    session_hash: str
    role: str


def refused_tabs(session: Session, *, tenant_id: int, tabs: Iterable[TabSession]) -> set[str]:
    """Client tokens of the tabs whose session no longer entitles them to the tenant's feed."""
    tabs = list(tabs)
    by_hash = {tab.session_hash: tab for tab in tabs if tab.session_hash}
    live: dict[str, str] = {}
    if by_hash:
        rows = session.exec(
            select(AuthSession.token_hash, AuthSession.expires_at, User.role)
            .join(User, col(User.id) == col(AuthSession.user_id))
            .where(col(AuthSession.token_hash).in_(list(by_hash)))
            .where(col(AuthSession.revoked_at).is_(None))
            .where(col(User.is_active).is_(True))
            .where(col(User.tenant_id) == tenant_id)
        ).all()
        now = utcnow()
        live = {digest: role for digest, expires, role in rows if as_utc(expires) > now}
    return {
        tab.client_token
        for tab in tabs
        if not tab.session_hash or live.get(tab.session_hash) != tab.role
    }
