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
    """A person's membership of one company: role and active flag are per company.

    One person (one email, one password) may belong to several companies: one row each, all
    with the same password. Everything scoped to a tenant keeps working on these rows.
    """

    __tablename__ = "users"
    __table_args__ = (sa.Index("uq_users_tenant_email", "tenant_id", "email", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased, so the unique index makes emails case-insensitively unique per company.
    email: str = Field(max_length=254, index=True)
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


class ThrottleCounter(SQLModel, table=True):
    """One rate-limit counter (an account, an address, or a pair), updated atomically in SQL.

    Times are epoch milliseconds, so the same arithmetic works on PostgreSQL and SQLite.
    ``not_before`` is the progressive delay: no attempt is evaluated before it.
    """

    __tablename__ = "throttle_counters"

    key: str = Field(primary_key=True, max_length=320)
    count: int = Field(default=0)
    expires_at: int = Field(default=0, sa_type=sa.BigInteger)
    not_before: int = Field(default=0, sa_type=sa.BigInteger)


class SignInCode(SQLModel, table=True):
    """A one-time code that a signed-in form hands the browser, to trade for the cookie.

    The browser posts it to ``/auth/session``; only its hash is stored, and it lives a minute.
    """

    __tablename__ = "sign_in_codes"

    code_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True), nullable=False)
