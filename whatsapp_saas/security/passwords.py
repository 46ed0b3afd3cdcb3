"""Argon2id password hashing through passlib's API (the maintained libpass fork)."""

from __future__ import annotations

from passlib.context import CryptContext

_context = CryptContext(schemes=["argon2"], deprecated="auto")
# Verifying against this when the account does not exist keeps response times alike, so a
# login form cannot be used to discover which emails have accounts.
_DUMMY_HASH = _context.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _context.hash(password)


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
