"""Rate limits for sign-in, sign-up and invitations: atomic counters in the database.

Each attempt is *taken* from a counter before any slow work (argon2) runs, in one short
transaction of its own: the row is upserted and, if that pushes it to its limit, blocked until
``not_before``. PostgreSQL holds the row lock and SQLite the write lock until that transaction
commits, so parallel attempts are counted one by one: 16 simultaneous guesses against a limit of
5 get 5 evaluated. The database is the one truth here as everywhere, so the counters hold across
web workers and need no Redis.

Sign-in takes from three counters:

- the (account, address) pair: a hard limit, cleared by a success from that pair only;
- the address: a looser hard limit against spraying many accounts from one place;
- the account, from anywhere: a *progressive delay* (2 s, 8 s, 18 s, … up to 5 min), never a
  lockout, so junk failures slow an attacker without locking the real person out.

A success clears its pair, and takes that pair's share (and only that) off the account's and the
address's counts; it never clears anybody else's failures.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from whatsapp_saas.accounts.models import ThrottleCounter
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError

log = logging.getLogger(__name__)

# An address under attack from many emails is throttled too, more loosely.
IP_FAILURE_FACTOR = 10
DELAY_BASE_MS = 2_000
DELAY_CAP_MS = 5 * 60_000
HOUR_MS = 3_600_000
BUSY = "error.too_many_requests"  # sign-ups and invitations: not about a password

Delay = Callable[[int, int], int]  # (how far over the free attempts, now_ms) → not_before


@dataclass(frozen=True)
class Rule:
    """``free`` attempts per ``window_ms``; past that, ``blocked_until`` decides the wait."""

    key: str
    free: int
    window_ms: int
    progressive: bool = False
    code: str = "error.too_many_attempts"  # the message, with {minutes}


@dataclass(frozen=True)
class SignInTicket:
    """What one sign-in attempt took; handed back on success."""

    email: str
    ip: str | None


def _now_ms() -> int:
    return int(time.time() * 1000)


def _table() -> sa.Table:
    return ThrottleCounter.__table__  # type: ignore[attr-defined,no-any-return]


def _upsert(dialect: str, key: str, now: int, window_ms: int) -> sa.Executable:
    """Count one attempt unless the counter is blocked; restart it when its window is over."""
    t = _table()
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    expired = t.c.expires_at <= now
    blocked = t.c.not_before > now
    stmt = insert(t).values(key=key, count=1, expires_at=now + window_ms, not_before=0)
    return stmt.on_conflict_do_update(
        index_elements=[t.c.key],
        set_={
            "count": sa.case((expired, 1), (blocked, t.c.count), else_=t.c.count + 1),
            "not_before": sa.case((expired, 0), else_=t.c.not_before),
            "expires_at": sa.case((expired, now + window_ms), else_=t.c.expires_at),
        },
    ).returning(t.c.count, t.c.not_before, t.c.expires_at)


def _blocked_until(rule: Rule, count: int, now: int, expires_at: int) -> int:
    """When the next attempt may run, once this one (number ``count``) reached the limit."""
    if rule.progressive:
        over = count - rule.free + 1
        return now + min(DELAY_CAP_MS, DELAY_BASE_MS * over * over)
    return expires_at  # a hard limit: wait for the window to end


def take(session: Session, *, rule: Rule) -> None:
    """Take one attempt from ``rule``'s counter, or raise the translated "wait" error."""
    now = _now_ms()
    t = _table()
    with Session(session.get_bind()) as own:
        dialect = own.get_bind().dialect.name
        count, not_before, expires_at = own.execute(
            _upsert(dialect, rule.key, now, rule.window_ms)
        ).one()
        if not_before > now:
            own.commit()
            raise _wait_error(not_before - now, rule.code)
        if count >= rule.free:
            until = _blocked_until(rule, count, now, expires_at)
            own.execute(sa.update(t).where(t.c.key == rule.key).values(not_before=until))
        own.commit()
    if count == 1:  # a new window: a good moment to drop counters nobody needs any more
        _purge_expired(session, now)


def _purge_expired(session: Session, now: int) -> None:
    """Best effort, in its own transaction: two purges racing may deadlock; one just gives up."""
    t = _table()
    try:
        with Session(session.get_bind()) as own:
            own.execute(sa.delete(t).where(t.c.expires_at <= now, t.c.not_before <= now))
            own.commit()
    except sa.exc.DBAPIError:
        log.info("throttle counters purge skipped (busy)")


def give_back(session: Session, *, rule: Rule, attempts: int = 1) -> None:
    """Undo ``attempts`` :func:`take` calls; unblock the counter if it is under its limit."""
    t = _table()
    left = sa.case((t.c.count > attempts, t.c.count - attempts), else_=0)
    with Session(session.get_bind()) as own:
        own.execute(
            sa.update(t)
            .where(t.c.key == rule.key)
            .values(count=left, not_before=sa.case((left < rule.free, 0), else_=t.c.not_before))
        )
        own.commit()


def clear(session: Session, *, rule: Rule) -> int:
    """Delete the counter; how many attempts it held."""
    t = _table()
    with Session(session.get_bind()) as own:
        held = own.execute(
            sa.delete(t).where(t.c.key == rule.key).returning(t.c.count)
        ).scalar_one_or_none()
        own.commit()
    return int(held or 0)


def _wait_error(wait_ms: int, code: str) -> UserError:
    seconds = max(1, math.ceil(wait_ms / 1000))
    if seconds < 60:
        return UserError("error.try_again_in_seconds", seconds=seconds)
    return UserError(code, minutes=math.ceil(seconds / 60))


# --- the rules -------------------------------------------------------------------------------


def _window_ms() -> int:
    return get_settings().login_lockout_minutes * 60_000


def sign_in_rules(email: str, ip: str | None) -> list[Rule]:
    """Pair first (cheapest to refuse), then address, then the account's progressive delay."""
    limit, window = get_settings().login_max_failures, _window_ms()
    rules = []
    if ip:
        rules.append(Rule(f"pair:{email}|{ip}", limit, window))
        rules.append(Rule(f"ip:{ip}", limit * IP_FAILURE_FACTOR, window))
    rules.append(Rule(f"account:{email}", limit, window, progressive=True))
    return rules


def check_sign_in(session: Session, *, email: str, ip: str | None) -> SignInTicket:
    """Take an attempt from every sign-in counter, before the password is looked at."""
    for rule in sign_in_rules(email, ip):
        take(session, rule=rule)
    return SignInTicket(email, ip)


def sign_in_succeeded(session: Session, *, ticket: SignInTicket) -> None:
    """Clear this pair, and its share (only) of the account's and the address's counts.

    Without an address there is no pair: the success gives back just its own attempt.
    """
    rules = sign_in_rules(ticket.email, ticket.ip)
    pair = [rule for rule in rules if rule.key.startswith("pair:")]
    share = clear(session, rule=pair[0]) if pair else 1
    for rule in rules:
        if rule not in pair:
            give_back(session, rule=rule, attempts=max(share, 1))


def check_sign_up(session: Session, *, ip: str | None) -> None:
    settings = get_settings()
    rule = Rule(f"signup:{ip or '-'}", settings.signup_max_per_hour, HOUR_MS, code=BUSY)
    take(session, rule=rule)


def check_invite(session: Session, *, tenant_id: int) -> None:
    settings = get_settings()
    take(
        session, rule=Rule(f"invite:{tenant_id}", settings.invites_max_per_hour, HOUR_MS, code=BUSY)
    )
