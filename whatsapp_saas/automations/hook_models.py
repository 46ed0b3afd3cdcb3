"""The inbound URL of a "Webhook received" rule: its public token and its encrypted secret.

One row per webhook rule. The token names the rule in the URL (``/hooks/automations/<token>``)
without naming the tenant or the rule id; the secret authenticates the caller, and is kept
only as an AES-GCM envelope bound to the rule (``security.secrets``), so the key rotation
command re-encrypts it with every other secret. ``secret_hint`` (its last characters) lets
the builder show a masked secret without decrypting it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from whatsapp_saas.models_base import created_at_field
from whatsapp_saas.security.secrets import EncryptedColumn, register_encrypted_column
from whatsapp_saas.tenancy.models import TenantOwned

TOKEN_MAX = 64


class AutomationHook(TenantOwned, table=True):
    __tablename__ = "automation_hooks"
    __table_args__ = (
        sa.UniqueConstraint("token", name="uq_automation_hooks_token"),
        sa.UniqueConstraint("rule_id", name="uq_automation_hooks_rule"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int = Field(foreign_key="automation_rules.id", ondelete="CASCADE")
    token: str = Field(max_length=TOKEN_MAX)
    secret_ciphertext: bytes = Field(sa_type=sa.LargeBinary, nullable=False)
    secret_hint: str = Field(default="", max_length=8)
    created_at: datetime = created_at_field()
    rotated_at: datetime = created_at_field()


def hook_aad(tenant_id: int, rule_id: int) -> str:
    """Associated data binding a secret to its rule: a blob copied to another row fails."""
    return f"automation_hook:{tenant_id}:{rule_id}"


def _row_aad(row: AutomationHook) -> str:
    return hook_aad(row.tenant_id, row.rule_id)


register_encrypted_column(EncryptedColumn(AutomationHook, "secret_ciphertext", _row_aad))
