"""Builders for the webhook trigger tests: a webhook rule with its URL, and HTTP calls to it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from auto_helpers import World, add_rule
from starlette.testclient import TestClient

from whatsapp_saas.automations import hook_service
from whatsapp_saas.automations.hooks import sign
from whatsapp_saas.db import session_scope
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.tenancy.scope import TenantScope

REPLY = "Olá {{contact.first_name}}, pedido {{webhook.fields.order}}: {{webhook.text}}"


@dataclass(frozen=True)
class Hook:
    rule_id: int
    path: str
    secret: str


def add_hook_rule(world: World, **values: Any) -> Hook:
    values.setdefault("name", "Order shipped")
    values.setdefault("trigger", {"type": "webhook_received"})
    values.setdefault("actions", [{"type": "send_message", "message": REPLY}])
    rule_id = add_rule(world, **values)
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        view = hook_service.ensure_hook(
            scope, actor=world.owner, rule_id=rule_id, keyring=keyring_from_settings()
        )
    assert view.fresh
    return Hook(rule_id, view.path, view.secret)


def body(phone: str = "+5511988880001", **extra: Any) -> bytes:
    payload: dict[str, Any] = {"phone": phone, "text": "enviado", "fields": {"order": "123"}}
    payload.update(extra)
    return json.dumps(payload).encode()


def post(
    client: TestClient,
    path: str,
    content: bytes,
    *,
    secret: str | None = None,
    signed_with: str | None = None,
    key: str | None = None,
) -> Any:
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["X-Webhook-Secret"] = secret
    if signed_with is not None:
        headers["X-Signature"] = sign(signed_with, content)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(path, content=content, headers=headers)
