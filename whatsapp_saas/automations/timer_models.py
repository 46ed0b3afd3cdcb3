"""State of the time-based triggers: one row per timer rule, the scanner's place in time.

``cursor_at``/``cursor_id`` say up to which (anchor time, conversation id) a waiting rule
(no reply, idle) has looked, so each pass reads only conversations that fell due since the
last one, in bounded, ordered batches. ``period_at``/``period_cursor_id`` say which scheduled
instant a schedule rule is firing and how far through the open conversations it got. Losing a
row is harmless: the run log's idempotency key still lets each firing happen once.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.models_base import timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class AutomationTimerState(TenantOwned, table=True):
    __tablename__ = "automation_timer_state"

    rule_id: int = Field(primary_key=True, foreign_key="automation_rules.id", ondelete="CASCADE")
    cursor_at: datetime | None = timestamp_field()
    cursor_id: int = Field(default=0)
    period_at: datetime | None = timestamp_field()
    period_cursor_id: int = Field(default=0)
    period_done: bool = Field(default=False)


# "No agent reply": open conversations by the customer's last message, per tenant.
sa.Index(
    "ix_conversations_tenant_inbound",
    Conversation.__table__.c.tenant_id,  # type: ignore[attr-defined]
    Conversation.__table__.c.last_inbound_at,  # type: ignore[attr-defined]
    Conversation.__table__.c.id,  # type: ignore[attr-defined]
)
