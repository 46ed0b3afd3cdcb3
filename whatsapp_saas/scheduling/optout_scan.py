"""The safety net under the opt-out hook: a cursor over inbound text messages.

The hook runs after the ingest commit; a crash in between would lose it, and with it a
customer's "PARAR". This scan reads every inbound text message once, in id order, a few
seconds behind (so an id allocated by a transaction that has not committed yet is not
skipped), and records any stop keyword it finds. Recording is idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.inbox.conversation_rows import CONVERSATIONS
from whatsapp_saas.inbox.models import Direction, Message, MessageType
from whatsapp_saas.models_base import as_utc
from whatsapp_saas.scheduling.models import SchedulerState
from whatsapp_saas.scheduling.optout import KEYWORD_TEXT_MAX, matched_keyword
from whatsapp_saas.scheduling.optout_effects import opt_out
from whatsapp_saas.scheduling.preferences import stop_keywords
from whatsapp_saas.tenancy.scope import TenantScope

CURSOR_NAME = "optout-scan"
LAG = timedelta(seconds=10)
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]


def scan_opt_outs(session: Session, *, now: datetime, limit: int = 5000) -> int:
    """Advance the cursor over committed inbound texts; returns opt-outs recorded."""
    state = session.get(SchedulerState, CURSOR_NAME, with_for_update=True)
    if state is None:
        # First run: start from the newest message; history was never meant to opt anyone out.
        top = session.execute(sa.select(sa.func.max(MESSAGES.c.id))).scalar_one() or 0
        session.add(SchedulerState(name=CURSOR_NAME, cursor=int(top)))
        return 0
    rows = _candidates(session, state.cursor, limit)
    found, cursor = 0, state.cursor
    by_tenant: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for row in rows:
        message_id, tenant_id, contact_id, body, created_at = tuple(row)
        if as_utc(created_at) > now - LAG:
            break  # too fresh: an older id may still be committing
        cursor = message_id
        by_tenant[tenant_id].append((message_id, contact_id, body))
    for tenant_id, items in by_tenant.items():
        found += _record(TenantScope(session, tenant_id), items)
    state.cursor = max(cursor, _last_seen(session, state.cursor, now, rows))
    session.add(state)
    return found


def _candidates(session: Session, cursor: int, limit: int) -> list[sa.Row[Any]]:
    m, c = MESSAGES, CONVERSATIONS
    query = (
        sa.select(m.c.id, m.c.tenant_id, c.c.contact_id, m.c.body, m.c.created_at)
        .select_from(m.join(c, c.c.id == m.c.conversation_id))
        .where(m.c.id > cursor, m.c.direction == Direction.IN.value)
        .where(m.c.type == MessageType.TEXT.value, sa.func.length(m.c.body) <= KEYWORD_TEXT_MAX)
        .order_by(m.c.id)
        .limit(limit)
    )
    return list(session.execute(query).all())


def _last_seen(session: Session, cursor: int, now: datetime, rows: list[sa.Row[Any]]) -> int:
    """With no short inbound texts at all, still move past the settled messages in between."""
    if rows:
        return cursor
    query = sa.select(sa.func.max(MESSAGES.c.id)).where(
        MESSAGES.c.id > cursor, MESSAGES.c.created_at <= now - LAG
    )
    return int(session.execute(query).scalar_one() or cursor)


def _record(scope: TenantScope, items: list[tuple[int, int, str]]) -> int:
    keywords = stop_keywords(scope)
    found = 0
    for message_id, contact_id, body in items:
        keyword = matched_keyword(body, keywords)
        if keyword is not None:
            opt_out(
                scope,
                contact_id=contact_id,
                source="keyword",
                keyword=keyword,
                message_id=message_id,
            )
            found += 1
    return found
