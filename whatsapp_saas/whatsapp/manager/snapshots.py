"""Encrypted session snapshots: the engine store, sealed with AES-256-GCM, one row per number.

Reading: a blob that fails authentication (tampered, copied from another number) or names a
key we do not have raises :class:`SnapshotUnreadable`; the caller marks the number failed and
the blob stays exactly as it is. Writing is fenced: only the node recorded as the number's
owner may write, and never for a number that is logged out or failed, so a stale node or a
logout racing a debounced snapshot cannot resurrect or clobber a session.
"""

from __future__ import annotations

from sqlmodel import col, delete, select

from whatsapp_saas.db import session_scope
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.security.crypto import CryptoError, KeyNotAvailable, Keyring, decrypt, encrypt
from whatsapp_saas.whatsapp import state_reasons as reasons
from whatsapp_saas.whatsapp.manager.records import locked_row
from whatsapp_saas.whatsapp.models import SessionSnapshot, snapshot_aad
from whatsapp_saas.whatsapp.states import NumberState

# Codes, translated on screen (wa.reason.*): the texts say what to do.
REASON_TAMPERED = reasons.SNAPSHOT_TAMPERED
REASON_WRONG_KEY = reasons.SNAPSHOT_WRONG_KEY
UNWRITABLE_STATES = frozenset({NumberState.LOGGED_OUT.value, NumberState.FAILED.value})


class SnapshotUnreadable(Exception):
    """The stored snapshot cannot be used; ``reason`` is safe to show the tenant."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def load_snapshot(number_id: int, keyring: Keyring) -> bytes | None:
    """The decrypted store, or None when the number has never been snapshotted."""
    with session_scope() as session:
        query = select(SessionSnapshot).where(SessionSnapshot.number_id == number_id)
        row = session.exec(query).first()
        if row is None:
            return None
        blob = bytes(row.ciphertext)
    try:
        return decrypt(keyring, blob, snapshot_aad(number_id))
    except KeyNotAvailable as exc:
        raise SnapshotUnreadable(REASON_WRONG_KEY) from exc
    except CryptoError as exc:
        raise SnapshotUnreadable(REASON_TAMPERED) from exc


def save_snapshot(number_id: int, plaintext: bytes, node_id: str, keyring: Keyring) -> bool:
    """Encrypt and upsert; False when the write was refused (not ours, or not writable)."""
    ciphertext = encrypt(keyring, plaintext, snapshot_aad(number_id))
    with session_scope() as session:
        number = locked_row(session, number_id=number_id)
        if number is None or number.owner_node != node_id or number.state in UNWRITABLE_STATES:
            return False
        query = select(SessionSnapshot).where(SessionSnapshot.number_id == number_id)
        row = session.exec(query).first()
        if row is None:
            row = SessionSnapshot(
                tenant_id=number.tenant_id, number_id=number_id, ciphertext=ciphertext
            )
        row.ciphertext, row.size, row.updated_at = ciphertext, len(plaintext), utcnow()
        session.add(row)
        return True


def delete_snapshot(number_id: int) -> None:
    with session_scope() as session:
        session.exec(delete(SessionSnapshot).where(col(SessionSnapshot.number_id) == number_id))  # type: ignore[call-overload]
