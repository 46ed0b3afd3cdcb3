"""Shared column helpers for SQLModel tables."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def created_at_field() -> datetime:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)  # type: ignore[no-any-return]


def timestamp_field(nullable: bool = True) -> datetime | None:
    return Field(default=None, sa_type=sa.DateTime(timezone=True), nullable=nullable)  # type: ignore[no-any-return]


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
