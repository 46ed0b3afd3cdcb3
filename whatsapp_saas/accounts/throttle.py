"""Failed sign-in throttling, counted in the database so it holds across workers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from whatsapp_saas.accounts.models import LoginAttempt
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import as_utc, utcnow

# An address under attack from many emails is throttled too, more loosely.
IP_FAILURE_FACTOR = 4


def check_not_throttled(session: Session, email: str, ip: str | None) -> None:
    settings = get_settings()
    window = timedelta(minutes=settings.login_lockout_minutes)
    since = utcnow() - window
    limits: list[tuple[Any, int]] = [(LoginAttempt.email == email, settings.login_max_failures)]
    if ip:
        limits.append((LoginAttempt.ip == ip, settings.login_max_failures * IP_FAILURE_FACTOR))
    for criterion, limit in limits:
        count, newest = _failures_since(session, since, criterion)
        if newest is not None and count >= limit:
            raise _throttled(newest + window)


def _failures_since(
    session: Session, since: datetime, criterion: Any
) -> tuple[int, datetime | None]:
    """Failures after the last success inside the window, and the newest one's time."""
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(criterion, col(LoginAttempt.succeeded))
    ).one()
    start = max(since, as_utc(last_success)) if last_success else since
    count, newest = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            criterion, col(LoginAttempt.succeeded).is_(False), col(LoginAttempt.at) > start
        )
    ).one()
    return int(count), as_utc(newest) if newest else None


def _throttled(until: datetime) -> UserError:
    minutes = max(1, math.ceil((until - utcnow()).total_seconds() / 60))
    return UserError("error.too_many_attempts", minutes=minutes)


def record_attempt(session: Session, email: str, ip: str | None, *, succeeded: bool) -> None:
    """Record in a transaction of its own: a failed sign-in rolls the caller's back."""
    with Session(session.get_bind()) as own:
        own.add(LoginAttempt(email=email, ip=ip, succeeded=succeeded))
        own.commit()
