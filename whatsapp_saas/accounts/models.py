"""Account tables: users, sign-in sessions, invitations and login attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.tenancy.models import TenantOwned


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    AGENT = "agent"


MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class User(TenantOwned, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased, so the unique index makes emails case-insensitively unique.
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True}, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.AGENT.value, max_length=16)
    is_active: bool = Field(default=True)
    language: str = Field(default="pt-BR", max_length=8)
    timezone: str = Field(default="America/Sao_Paulo", max_length=64)
    # Optional: prepended to the attendant's WhatsApp replies as "*signature*:\n".
    signature: str | None = Field(default=None, max_length=60)
    created_at: datetime = created_at_field()
    last_login_at: datetime | None = timestamp_field()


class AuthSession(TenantOwned, table=True):
    """A signed-in browser. The token itself lives only in the browser."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    revoked_at: datetime | None = timestamp_field()
    ip: str | None = Field(default=None, max_length=64)


class Invite(TenantOwned, table=True):
    __tablename__ = "invites"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    name: str = Field(max_length=120)
    role: str = Field(default=Role.AGENT.value, max_length=16)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    invited_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_at_field()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
    accepted_at: datetime | None = timestamp_field()


class LoginAttempt(SQLModel, table=True):
    """Not tenant-owned: attempts are counted per email before we know any tenant."""

    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str | None = Field(default=None, max_length=64)
    succeeded: bool = Field(default=False)
    at: datetime = created_at_field()
