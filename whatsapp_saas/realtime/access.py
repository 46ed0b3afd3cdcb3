"""Announce, after commit, that a user's access changed (disabled, re-enabled, new role).

Whichever code path changes ``User.is_active`` or ``User.role``, the open tabs of that tenant
must be checked again at once: a disabled user's tab, or one opened with a role the user no
longer has, stops receiving the tenant's live updates. Watching the flush catches every path
(settings page, scripts, future APIs) without each of them remembering to announce.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from whatsapp_saas.accounts.models import User
from whatsapp_saas.db import announce_after_commit

WATCHED = ("is_active", "role")


@dataclass(frozen=True)
class UserAccessChanged:
    tenant_id: int
    user_id: int


def _announce_access_changes(session: Session, _flush_context: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, User) and obj.id is not None and _access_changed(obj):
            announce_after_commit(session, UserAccessChanged(obj.tenant_id, obj.id))


def _access_changed(user: User) -> bool:
    attrs = sa.inspect(user).attrs
    return any(attrs[name].history.has_changes() for name in WATCHED)


def watch_user_access() -> None:
    """Install the flush watcher once (bootstrap may run more than once in a process)."""
    if not event.contains(Session, "after_flush", _announce_access_changes):
        event.listen(Session, "after_flush", _announce_access_changes)
