"""The durable event spine's tables: the events themselves (a transactional outbox), the
per-tenant sequence counters, the durable subscribers' cursors, and the events a subscriber
holds back (retrying, parked, or waiting behind one of those in the same conversation).

Why cursors count per-tenant sequence numbers and not the global id: two transactions take
global ids in the order they insert, but commit in any order, so a reader that has seen id 11
cannot know that id 10 will not appear a moment later. A tenant's ``seq`` is taken under its
counter row's lock, held until commit, so seq N+1 becomes visible only after seq N: a cursor
on (tenant, seq) never skips anything. The global id stays the table's key and what the CLI
and the handlers name an event by.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from whatsapp_saas.models_base import created_at_field, timestamp_field

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER


class EventRecord(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "seq", name="uq_events_tenant_seq"),)

    id: int | None = Field(
        default=None, sa_column=sa.Column(BIGINT, primary_key=True, autoincrement=True)
    )
    tenant_id: int = Field(nullable=False)
    seq: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    type: str = Field(max_length=80, nullable=False)
    conversation_id: int | None = Field(default=None)
    payload: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON(), nullable=False))
    created_at: datetime = created_at_field()


class EventSequence(SQLModel, table=True):
    """The last ``seq`` given out for a tenant; its row lock orders the tenant's commits."""

    __tablename__ = "event_sequences"

    tenant_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_seq: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False, default=0))


class EventSubscriber(SQLModel, table=True):
    """A durable subscriber that has run at least once; its row is the runners' mutex."""

    __tablename__ = "event_subscribers"

    name: str = Field(primary_key=True, max_length=80)
    created_at: datetime = created_at_field()
    last_run_at: datetime | None = timestamp_field()


class EventCursor(SQLModel, table=True):
    """How far a subscriber has passed a tenant's events (handled, held back, or not wanted)."""

    __tablename__ = "event_cursors"

    subscriber: str = Field(primary_key=True, max_length=80)
    tenant_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_seq: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False, default=0))
    last_event_id: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False, default=0))


class EventHold(SQLModel, table=True):
    """An event a subscriber passed without handling it yet.

    ``attempts > 0``: it failed and is retried at ``next_attempt_at`` (backoff); ``parked``: it
    failed too often and waits for someone (``python -m whatsapp_saas.events retry``).
    ``attempts == 0``: it waits behind an earlier held event of the same conversation, so a
    conversation's events are always handled in order.
    """

    __tablename__ = "event_holds"

    subscriber: str = Field(primary_key=True, max_length=80)
    event_id: int = Field(
        sa_column=sa.Column(sa.BigInteger(), primary_key=True, autoincrement=False)
    )
    tenant_id: int = Field(nullable=False)
    conversation_id: int | None = Field(default=None)
    attempts: int = Field(default=0, nullable=False)
    last_error: str | None = Field(default=None, max_length=2000)
    next_attempt_at: datetime | None = timestamp_field()
    parked: bool = Field(default=False, nullable=False)
    created_at: datetime = created_at_field()
