"""The signing secret of a rule's outbound webhook: sealed, never stored in the rule.

A rule's actions are JSON that the builder reads back into the browser, and a delayed action
copies its action into ``automation_jobs``; so the action keeps only ``secret_ref``, the name
of a tenant secret (AES-GCM, re-encrypted by the key-rotation command with all the others).
A newly typed secret gets a new reference, so a duplicated rule never shares a secret that
one of them changes later.
"""

from __future__ import annotations

import secrets
from typing import Any

from whatsapp_saas.automations.actions import ACTION_WEBHOOK, invalid
from whatsapp_saas.security.crypto import Keyring
from whatsapp_saas.security.secrets import get_secret, set_secret
from whatsapp_saas.tenancy.scope import TenantScope

PREFIX = "auto_webhook:"


def seal(
    scope: TenantScope,
    *,
    keyring: Keyring,
    actions: list[dict[str, Any]],
    previous: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The actions with each webhook's typed secret sealed; a blank one keeps the saved secret
    of the webhook at the same place (a new webhook without one is refused)."""
    return [_sealed(scope, keyring, a, previous, i) for i, a in enumerate(actions)]


def _sealed(
    scope: TenantScope,
    keyring: Keyring,
    action: dict[str, Any],
    previous: list[dict[str, Any]],
    index: int,
) -> dict[str, Any]:
    if action.get("type") != ACTION_WEBHOOK:
        return action
    clean = {k: v for k, v in action.items() if k != "secret"}
    typed = str(action.get("secret") or "")
    if typed:
        clean["secret_ref"] = PREFIX + secrets.token_hex(8)
        set_secret(scope, keyring=keyring, name=clean["secret_ref"], value=typed)
        return clean
    before = previous[index] if index < len(previous) else {}
    if before.get("type") == ACTION_WEBHOOK and before.get("secret_ref"):
        clean["secret_ref"] = before["secret_ref"]
        return clean
    raise invalid("error.auto_secret_required", "secret")


def secret_of(scope: TenantScope, *, keyring: Keyring, action: dict[str, Any]) -> str:
    """The secret to sign with (a rule saved before sealing kept it in the action)."""
    ref = str(action.get("secret_ref") or "")
    if ref.startswith(PREFIX):
        return get_secret(scope, keyring=keyring, name=ref) or ""
    return str(action.get("secret") or "")
