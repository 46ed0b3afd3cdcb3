"""The "Webhook received" trigger: its document, the request's shape and its authentication.

No I/O here (``hook_service`` stores and finds hooks, ``hook_routes`` is the HTTP side).

A rule's trigger is ``{"type": "webhook_received", "number_id": 3}`` (the number is optional:
without it the tenant's first number writes). The caller POSTs JSON to the rule's URL::

    {"phone": "+5511988887777", "text": "Pedido 123 enviado", "fields": {"order": "123"}}

``phone`` is required (any way people type it; read in the number's country), ``text`` and
``fields`` are optional. Templates read ``{{webhook.text}}`` and ``{{webhook.fields.order}}``
besides the contact's variables. The caller proves it knows the rule's secret by sending it in
``X-Webhook-Secret``, or by signing the raw body: ``X-Signature: sha256=<hex HMAC-SHA256>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from whatsapp_saas.automations.actions import invalid

TRIGGER_WEBHOOK = "webhook_received"
EVENT_WEBHOOK = TRIGGER_WEBHOOK  # the run log's event name
SECRET_HEADER = "x-webhook-secret"
SIGNATURE_HEADER = "x-signature"
IDEMPOTENCY_HEADER = "idempotency-key"
SIGNATURE_PREFIX = "sha256="
SECRET_PREFIX = "whsec_"
HINT_LEN = 4
TEXT_MAX = 4096
FIELDS_MAX = 50
FIELD_VALUE_MAX = 500
IDEMPOTENCY_MAX = 200
FIELD_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
PRINTABLE = re.compile(r"^[\x21-\x7e]+$")


class HookInputError(Exception):
    """The request's body (or a header) is not what the URL takes: a 422 naming ``field``."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code, self.field = code, field


@dataclass(frozen=True, slots=True)
class HookPayload:
    phone: str
    text: str = ""
    fields: tuple[tuple[str, str], ...] = ()


def validate_trigger(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned trigger (the number is checked against the tenant when saved)."""
    number = str(raw.get("number_id") or "").strip()
    if number and not number.isdigit():
        raise invalid("error.auto_hook_number_invalid", "hook_number")
    clean: dict[str, Any] = {"type": TRIGGER_WEBHOOK}
    if number:
        clean["number_id"] = int(number)
    return clean


def new_token() -> str:
    return secrets.token_urlsafe(18)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def masked(hint: str) -> str:
    """What the builder shows of a secret it no longer has in full."""
    return f"{SECRET_PREFIX}{'•' * 12}{hint}"


def parse_payload(body: bytes) -> HookPayload:
    """The request's JSON, checked; a HookInputError names the first thing wrong."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HookInputError("hook.error_json", "body") from exc
    if not isinstance(data, dict):
        raise HookInputError("hook.error_json", "body")
    phone = data.get("phone")
    if not isinstance(phone, str) or not phone.strip():
        raise HookInputError("hook.error_phone_required", "phone")
    text = data.get("text", "")
    if text is None:
        text = ""
    if not isinstance(text, str) or len(text) > TEXT_MAX:
        raise HookInputError("hook.error_text", "text")
    return HookPayload(phone.strip(), text.strip(), _fields(data.get("fields")))


def _fields(raw: Any) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or len(raw) > FIELDS_MAX:
        raise HookInputError("hook.error_fields", "fields")
    clean = []
    for key, value in raw.items():
        if not FIELD_KEY.match(key) or isinstance(value, (dict, list)):
            raise HookInputError("hook.error_fields", f"fields.{key}"[:80])
        text = (
            "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        )
        if len(text) > FIELD_VALUE_MAX:
            raise HookInputError("hook.error_fields", f"fields.{key}")
        clean.append((key, text))
    return tuple(clean)


def dedupe_of(idempotency_key: str | None) -> str:
    """The hash a client's ``Idempotency-Key`` is deduplicated by ("" when none was sent)."""
    key = (idempotency_key or "").strip()
    if not key:
        return ""
    if len(key) > IDEMPOTENCY_MAX or not PRINTABLE.match(key):
        raise HookInputError("hook.error_idempotency_key", "Idempotency-Key")
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def authentic(secret: str, *, given_secret: str, signature: str, body: bytes) -> bool:
    """The caller knows ``secret``: sent as is, or as the body's HMAC-SHA256 signature.

    Both comparisons run in constant time; an empty secret header is no proof."""
    if given_secret:
        return hmac.compare_digest(given_secret.encode(), secret.encode())
    if not signature.lower().startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    given = signature[len(SIGNATURE_PREFIX) :].strip().lower()
    return hmac.compare_digest(given.encode(), expected.encode())


def sign(secret: str, body: bytes) -> str:
    """The ``X-Signature`` value for ``body`` (what a caller computes; tests and docs use it)."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def run_key(rule_id: int, event_id: int, dedupe: str) -> str:
    """The firing's idempotency key: the caller's key when it sent one, else the event's."""
    return f"rule:{rule_id}:hook:{'k' + dedupe if dedupe else event_id}"


def variables(text: str, fields: tuple[tuple[str, str], ...]) -> dict[str, str]:
    values = {"webhook.text": text}
    values.update({f"webhook.fields.{k}": v for k, v in fields})
    return values
