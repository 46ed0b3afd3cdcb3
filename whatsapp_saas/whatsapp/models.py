"""WhatsApp numbers and their encrypted engine-session snapshots."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.models_base import created_at_field, timestamp_field
from whatsapp_saas.security.secrets import EncryptedColumn, register_encrypted_column
from whatsapp_saas.tenancy.models import TenantOwned
from whatsapp_saas.whatsapp.states import DesiredState, NumberState


class WhatsAppNumber(TenantOwned, table=True):
    """One WhatsApp number of a tenant.

    ``state``/``state_reason``/``state_at`` is what the connection manager last observed;
    ``desired_state`` is what the user asked for. The manager reconciles the two and never
    trusts ``state`` alone (a node may have died with the row still saying "connected").
    """

    __tablename__ = "whatsapp_numbers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    phone: str | None = Field(default=None, max_length=20, index=True)  # E.164, once linked
    push_name: str | None = Field(default=None, max_length=120)
    jid: str | None = Field(default=None, max_length=120)
    state: str = Field(default=NumberState.DISCONNECTED.value, max_length=16)
    state_reason: str | None = Field(default=None, max_length=500)
    state_at: datetime | None = timestamp_field()
    desired_state: str = Field(default=DesiredState.STOPPED.value, max_length=16, index=True)
    qr_code: str | None = Field(default=None, max_length=1000)
    qr_expires_at: datetime | None = timestamp_field()
    pairing_code: str | None = Field(default=None, max_length=16)
    owner_node: str | None = Field(default=None, max_length=120)
    last_connected_at: datetime | None = timestamp_field()
    created_at: datetime = created_at_field()


class SessionSnapshot(TenantOwned, table=True):
    """The engine's session store, AES-256-GCM encrypted; one row per number."""

    __tablename__ = "whatsapp_session_snapshots"

    id: int | None = Field(default=None, primary_key=True)
    number_id: int = Field(
        foreign_key="whatsapp_numbers.id", ondelete="CASCADE", sa_column_kwargs={"unique": True}
    )
    ciphertext: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    size: int = Field(default=0)  # plaintext bytes, for the operator's eyes
    updated_at: datetime = created_at_field()


def snapshot_aad(number_id: int) -> str:
    """Associated data binding a snapshot to its number: a blob moved to another row fails."""
    return f"whatsapp_session:{number_id}"


def _snapshot_row_aad(row: SessionSnapshot) -> str:
    return snapshot_aad(row.number_id)


register_encrypted_column(EncryptedColumn(SessionSnapshot, "ciphertext", _snapshot_row_aad))
