"""AES-256-GCM envelopes, key ids, row binding and rotation."""

from __future__ import annotations

import os

import pytest
from sqlmodel import select

from whatsapp_saas.accounts import service
from whatsapp_saas.db import session_scope
from whatsapp_saas.security.crypto import (
    DecryptionFailed,
    KeyNotAvailable,
    Keyring,
    decrypt,
    encrypt,
    needs_rotation,
)
from whatsapp_saas.security.rotate import rotate_all
from whatsapp_saas.security.secrets import TenantSecret, get_secret, set_secret
from whatsapp_saas.tenancy.scope import TenantScope

OLD, NEW = os.urandom(32), os.urandom(32)


def test_round_trip_and_key_id() -> None:
    ring = Keyring(OLD)
    blob = encrypt(ring, b"session bytes", "whatsapp_session:1")
    assert b"session bytes" not in blob
    assert decrypt(ring, blob, "whatsapp_session:1") == b"session bytes"
    assert not needs_rotation(ring, blob)


def test_blob_swapped_to_another_row_fails() -> None:
    ring = Keyring(OLD)
    blob = encrypt(ring, b"tenant one", "whatsapp_session:1")
    with pytest.raises(DecryptionFailed):
        decrypt(ring, blob, "whatsapp_session:2")


def test_tampering_is_detected() -> None:
    ring = Keyring(OLD)
    blob = bytearray(encrypt(ring, b"secret", "row:1"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionFailed):
        decrypt(ring, bytes(blob), "row:1")
    with pytest.raises(DecryptionFailed):
        decrypt(ring, b"garbage", "row:1")


def test_wrong_key_names_the_problem() -> None:
    blob = encrypt(Keyring(OLD), b"secret", "row:1")
    with pytest.raises(KeyNotAvailable, match="SESSION_ENCRYPTION_KEY"):
        decrypt(Keyring(NEW), blob, "row:1")


def test_old_keys_still_decrypt() -> None:
    blob = encrypt(Keyring(OLD), b"secret", "row:1")
    ring = Keyring(NEW, (OLD,))
    assert decrypt(ring, blob, "row:1") == b"secret"
    assert needs_rotation(ring, blob)


def _tenant_scope_id() -> int:
    with session_scope() as s:
        owner = service.signup(
            s, company_name="Acme", name="O", email="o@x.io", password="long enough pw"
        )
        return owner.tenant_id


def test_rotation_reencrypts_everything_and_leaves_bad_rows_alone(any_db: str) -> None:
    tenant_id = _tenant_scope_id()
    with session_scope() as s:
        set_secret(
            TenantScope(s, tenant_id), keyring=Keyring(OLD), name="ai_key", value="sk-live-abc"
        )
        set_secret(
            TenantScope(s, tenant_id),
            keyring=Keyring(os.urandom(32)),
            name="orphan",
            value="unknown key",
        )
    with session_scope() as s:
        report = rotate_all(s, keyring=Keyring(NEW, (OLD,)))
    assert report.rotated == 1 and len(report.failures) == 1
    with session_scope() as s:
        scope = TenantScope(s, tenant_id)
        assert get_secret(scope, keyring=Keyring(NEW), name="ai_key") == "sk-live-abc"
        orphan = s.exec(select(TenantSecret).where(TenantSecret.name == "orphan")).one()
        with pytest.raises(KeyNotAvailable):
            decrypt(Keyring(NEW, (OLD,)), orphan.ciphertext, f"tenant_secret:{tenant_id}:orphan")
