"""Argon2id password hashing through passlib's API (the maintained libpass fork)."""

from __future__ import annotations

import os

from passlib.context import CryptContext

# The test suite hashes hundreds of passwords; there argon2 runs with minimal cost (still a
# real argon2id hash). Everywhere else passlib's defaults apply (64 MiB, 3 passes).
if os.environ.get("APP_ENV") == "test":
    _context = CryptContext(
        schemes=["argon2"],
        argon2__memory_cost=1024,
        argon2__time_cost=1,
        argon2__parallelism=1,
    )
else:
    _context = CryptContext(schemes=["argon2"], deprecated="auto")
# Verifying against this when the account does not exist keeps response times alike, so a
# login form cannot be used to discover which emails have accounts.
_DUMMY_HASH = _context.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return str(_context.hash(password))


def verify_password(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        _context.verify(password, _DUMMY_HASH)
        return False
    try:
        return bool(_context.verify(password, password_hash))
    except ValueError:
        return False


def needs_rehash(password_hash: str) -> bool:
    return bool(_context.needs_update(password_hash))
