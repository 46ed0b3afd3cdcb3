"""Pruning the events table: an event goes once every durable subscriber has passed it and
the grace period is over.

"Every durable subscriber" means every name in ``event_subscribers`` (a subscriber is listed
there the first time a runner starts it). One that no longer exists in the code would keep
events forever: ``python -m whatsapp_saas.events forget NAME`` removes it. Held events (a
retry, a parked failure) are never pruned. With no subscriber at all, the grace alone decides.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.models_base import utcnow

NO_SUBSCRIBERS = 2**62

PRUNE_SQL = sa.text(
    "DELETE FROM events WHERE created_at < :cutoff "
    "AND seq <= (SELECT COALESCE(MIN(COALESCE(c.last_seq, 0)), :none) "
    "            FROM event_subscribers s LEFT JOIN event_cursors c "
    "            ON c.subscriber = s.name AND c.tenant_id = events.tenant_id) "
    "AND NOT EXISTS (SELECT 1 FROM event_holds h WHERE h.event_id = events.id)"
)


def prune(session: Session, *, grace: timedelta, now: datetime | None = None) -> int:
    """Delete what every subscriber has passed and is older than ``grace``; returns how many."""
    cutoff = (now or utcnow()) - grace
    result = session.execute(PRUNE_SQL, {"cutoff": cutoff, "none": NO_SUBSCRIBERS})
    return int(result.rowcount)  # type: ignore[attr-defined]
