"""Choosing an agent of a department: round-robin among the online members, or the least busy.

Round-robin gives the conversation to the member who got one of this department least
recently (their newest assigned conversation is the oldest), which needs no counter row,
among the active members who are online now (an inbox open lately, see
:mod:`whatsapp_saas.automations.presence`); when none is online, among all of them, so the
conversation still gets an owner. Least busy counts each member's conversations that are
not resolved.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from whatsapp_saas.accounts.models import User
from whatsapp_saas.automations.presence import online
from whatsapp_saas.inbox.models import Conversation, ConversationStatus, DepartmentMember
from whatsapp_saas.tenancy.scope import TenantScope

CONVERSATIONS: sa.Table = Conversation.__table__  # type: ignore[attr-defined]


def members(scope: TenantScope, *, department_id: int) -> list[int]:
    """The department's active members, by id."""
    m: sa.Table = DepartmentMember.__table__  # type: ignore[attr-defined]
    u: sa.Table = User.__table__  # type: ignore[attr-defined]
    query = (
        sa.select(m.c.user_id)
        .join(u, u.c.id == m.c.user_id)
        .where(m.c.tenant_id == scope.tenant_id, m.c.department_id == department_id)
        .where(u.c.is_active.is_(True))
        .order_by(m.c.user_id)
    )
    return [int(r) for r in scope.session.execute(query).scalars()]


def pick_agent(
    scope: TenantScope, *, department_id: int, strategy: str, now: datetime | None = None
) -> int | None:
    candidates = members(scope, department_id=department_id)
    if not candidates:
        return None
    t = CONVERSATIONS
    mine = sa.and_(t.c.tenant_id == scope.tenant_id, t.c.assignee_id.in_(candidates))
    if strategy == "least_busy":
        busy = sa.func.count()
        query = sa.select(t.c.assignee_id, busy).where(
            mine, t.c.status != ConversationStatus.RESOLVED.value
        )
        counts = dict(scope.session.execute(query.group_by(t.c.assignee_id)).tuples().all())
        return min(candidates, key=lambda user: (counts.get(user, 0), user))
    candidates = sorted(online(scope, user_ids=candidates, now=now)) or candidates
    query = sa.select(t.c.assignee_id, sa.func.max(t.c.id)).where(
        mine, t.c.department_id == department_id
    )
    newest = dict(scope.session.execute(query.group_by(t.c.assignee_id)).tuples().all())
    return min(candidates, key=lambda user: (newest.get(user, 0), user))
