"""Tenant secrets (AI keys, webhook secrets), stored only as AES-GCM envelopes.

Other domains that store encrypted columns register them in ``ENCRYPTED_COLUMNS`` so the
rotation command re-encrypts them too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from whatsapp_saas.models_base import created_at_field, utcnow
from whatsapp_saas.security.crypto import Keyring, decrypt, encrypt
from whatsapp_saas.tenancy.models import TenantOwned
from whatsapp_saas.tenancy.scope import TenantScope


class TenantSecret(TenantOwned, table=True):
    __tablename__ = "tenant_secrets"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    ciphertext: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


def secret_aad(row: TenantSecret) -> str:
    return f"tenant_secret:{row.tenant_id}:{row.name}"


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[SQLModel]
    column: str
    associated_data: Callable[[Any], str]


ENCRYPTED_COLUMNS: list[EncryptedColumn] = [
    EncryptedColumn(TenantSecret, "ciphertext", secret_aad),
]


def register_encrypted_column(column: EncryptedColumn) -> None:
    if column not in ENCRYPTED_COLUMNS:
        ENCRYPTED_COLUMNS.append(column)


def set_secret(scope: TenantScope, *, keyring: Keyring, name: str, value: str) -> None:
    row = scope.first(TenantSecret, TenantSecret.name == name)
    if row is None:
        row = scope.add(TenantSecret(tenant_id=scope.tenant_id, name=name, ciphertext=b""))
    row.ciphertext = encrypt(keyring, value.encode(), secret_aad(row))
    row.updated_at = utcnow()


def get_secret(scope: TenantScope, *, keyring: Keyring, name: str) -> str | None:
    row = scope.first(TenantSecret, TenantSecret.name == name)
    if row is None:
        return None
    return decrypt(keyring, row.ciphertext, secret_aad(row)).decode()


def has_secret(scope: TenantScope, *, name: str) -> bool:
    return scope.first(TenantSecret, TenantSecret.name == name) is not None
