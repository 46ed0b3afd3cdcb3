"""Who is online, for round-robin: when each user last had an inbox open.

The web worker's inbox hub knows which open inboxes still have a socket, but only for its own
tabs and only in its memory; automations run in another process. So the hub reports the
users it sees (when an inbox opens, and on its minute tick) and :class:`PresenceRecorder`
stamps ``agent_presence.last_seen_at``, at most once a minute per user and process, in one
statement for all of them: no database write per tick per tab. A user seen within
:data:`ONLINE_WINDOW` counts as online.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from whatsapp_saas.automations.models import AgentPresence
from whatsapp_saas.db.sqlutil import dialect_name
from whatsapp_saas.models_base import as_utc, utcnow
from whatsapp_saas.tenancy.scope import TenantScope

WRITE_EVERY = timedelta(minutes=1)
# Two missed minute ticks and a little slack: a closed laptop stops counting soon after.
ONLINE_WINDOW = timedelta(minutes=3)

PRESENCE: sa.Table = AgentPresence.__table__  # type: ignore[attr-defined]


class PresenceRecorder:
    """One per web worker: remembers what it wrote, so it writes each user once a minute."""

    def __init__(self, clock: Callable[[], datetime] = utcnow) -> None:
        self._clock = clock
        self._written: dict[int, datetime] = {}

    def due(self, users: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """The (tenant, user) pairs not stamped by this process within the last minute."""
        now = self._clock()
        found: dict[int, int] = {}
        for tenant_id, user_id in users:
            last = self._written.get(user_id)
            if last is None or now - last >= WRITE_EVERY:
                found[user_id] = tenant_id
        return [(tenant_id, user_id) for user_id, tenant_id in sorted(found.items())]

    def record(self, session: Session, users: Iterable[tuple[int, int]]) -> int:
        """Stamp the due users as seen now (one upsert); how many were written."""
        due = self.due(users)
        if not due:
            return 0
        now = self._clock()
        rows = [{"tenant_id": t, "user_id": u, "last_seen_at": now} for t, u in due]
        module = postgresql if dialect_name(session) == "postgresql" else sqlite
        stmt = module.insert(PRESENCE).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id"], set_={"last_seen_at": stmt.excluded.last_seen_at}
        )
        session.execute(stmt)
        for _tenant_id, user_id in due:
            self._written[user_id] = now
        return len(due)

    def forget(self, user_ids: Iterable[int]) -> None:
        """Users gone from this worker (their next visit writes at once)."""
        for user_id in user_ids:
            self._written.pop(user_id, None)


def online(scope: TenantScope, *, user_ids: Iterable[int], now: datetime | None = None) -> set[int]:
    """Those of ``user_ids`` seen within :data:`ONLINE_WINDOW` of ``now``."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return set()
    since = (now or utcnow()) - ONLINE_WINDOW
    query = sa.select(PRESENCE.c.user_id, PRESENCE.c.last_seen_at).where(
        PRESENCE.c.tenant_id == scope.tenant_id, PRESENCE.c.user_id.in_(wanted)
    )
    rows = scope.session.execute(query).tuples().all()
    return {int(user) for user, seen in rows if as_utc(seen) >= since}
