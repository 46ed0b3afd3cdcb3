"""Counts shown on the dashboard (plain service, no UI)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col

from whatsapp_saas.accounts.models import Invite, User
from whatsapp_saas.tenancy.scope import TenantScope


@dataclass(frozen=True)
class TenantCounts:
    users: int
    active_users: int
    pending_invites: int


def tenant_counts(scope: TenantScope) -> TenantCounts:
    return TenantCounts(
        users=scope.count(User),
        active_users=scope.count(User, col(User.is_active)),
        pending_invites=scope.count(Invite, col(Invite.accepted_at).is_(None)),
    )
