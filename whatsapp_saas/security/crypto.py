"""AES-256-GCM envelopes for WhatsApp sessions and tenant secrets.

Envelope layout (bytes)::

    b"WSE1" | key id (8) | nonce (12) | ciphertext + GCM tag

The key id is the first 8 bytes of SHA-256 of the key, so a ciphertext names the key that made
it and keys can rotate: old keys stay in the keyring to decrypt until everything has been
re-encrypted (``python -m whatsapp_saas.security.rotate``). The associated data binds a
ciphertext to its row (e.g. ``"whatsapp_session:42"``): a blob copied to another row fails to
decrypt instead of logging the wrong company into the wrong number.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"WSE1"
KEY_ID_LEN = 8
NONCE_LEN = 12
HEADER_LEN = len(MAGIC) + KEY_ID_LEN + NONCE_LEN


class CryptoError(Exception):
    """Base class; messages are safe to show and never contain key material."""


class KeyNotAvailable(CryptoError):
    pass


class DecryptionFailed(CryptoError):
    pass


def key_id_of(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:KEY_ID_LEN]


@dataclass(frozen=True)
class Keyring:
    """The current key (encrypts and decrypts) plus retired keys (decrypt only)."""

    current: bytes
    retired: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        for key in (self.current, *self.retired):
            if len(key) != 32:
                raise CryptoError("encryption keys must be 32 bytes (AES-256)")

    @property
    def current_id(self) -> bytes:
        return key_id_of(self.current)

    def find(self, key_id: bytes) -> bytes:
        for key in (self.current, *self.retired):
            if key_id_of(key) == key_id:
                return key
        raise KeyNotAvailable(
            f"no configured key matches key id {key_id.hex()}; "
            "set SESSION_ENCRYPTION_KEY (or SESSION_ENCRYPTION_OLD_KEYS) to the key that wrote it"
        )


def encrypt(keyring: Keyring, plaintext: bytes, associated_data: str) -> bytes:
    nonce = os.urandom(NONCE_LEN)
    sealed = AESGCM(keyring.current).encrypt(nonce, plaintext, associated_data.encode())
    return MAGIC + keyring.current_id + nonce + sealed


def envelope_key_id(blob: bytes) -> bytes:
    if len(blob) < HEADER_LEN + 16 or not blob.startswith(MAGIC):
        raise DecryptionFailed("not an encrypted envelope (truncated or wrong format)")
    return blob[len(MAGIC) : len(MAGIC) + KEY_ID_LEN]


def decrypt(keyring: Keyring, blob: bytes, associated_data: str) -> bytes:
    key = keyring.find(envelope_key_id(blob))
    nonce = blob[len(MAGIC) + KEY_ID_LEN : HEADER_LEN]
    try:
        return AESGCM(key).decrypt(nonce, blob[HEADER_LEN:], associated_data.encode())
    except InvalidTag as exc:
        raise DecryptionFailed(
            "ciphertext failed authentication: it was tampered with or belongs to another row"
        ) from exc


def needs_rotation(keyring: Keyring, blob: bytes) -> bool:
    return envelope_key_id(blob) != keyring.current_id


def reencrypt(keyring: Keyring, blob: bytes, associated_data: str) -> bytes:
    return encrypt(keyring, decrypt(keyring, blob, associated_data), associated_data)


def keyring_from_settings() -> Keyring:
    from whatsapp_saas.config import get_settings

    settings = get_settings()
    return Keyring(settings.encryption_key_bytes(), tuple(settings.old_encryption_keys()))
