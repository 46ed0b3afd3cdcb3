"""An automation's inbound URL on the running app, from outside: the secret or a signature
gets a 202 and the rule's reply is queued by the app's own spine runner; a stranger (with or
without a session cookie, from any origin) gets a 401 with no CORS grant; an oversize body
is cut off at 64 KB; answers carry the API's sandbox headers."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.browser.conftest import RunningApp
from tests.http_security.live import Company, company, use_app_database
from whatsapp_saas.automations import hook_service
from whatsapp_saas.automations import service as automations
from whatsapp_saas.automations.hooks import sign
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.tenancy.scope import TenantScope

pytestmark = pytest.mark.slow

EVIL = "https://evil.example"
REPLY = "hook-reply-7e1d"


@pytest.fixture(scope="module")
def hooked(http_app: RunningApp) -> tuple[Company, str, str]:
    """A company with a webhook rule: (company, the URL, the secret)."""
    use_app_database(http_app.database_url)
    acme = company()
    with session_scope() as session:
        scope = TenantScope(session, acme.owner.tenant_id)
        rule = automations.save_rule(
            scope,
            actor=acme.owner,
            name="Hook",
            trigger={"type": "webhook_received"},
            conditions=[],
            actions=[{"type": "send_message", "message": REPLY}],
        )
        view = hook_service.ensure_hook(
            scope, actor=acme.owner, rule_id=rule.id or 0, keyring=keyring_from_settings()
        )
    return acme, http_app.url + view.path, view.secret


def _replies(acme: Company) -> int:
    with session_scope() as session:
        scope = TenantScope(session, acme.owner.tenant_id)
        return len(scope.all(Message, Message.body == REPLY))


def test_the_secret_is_accepted_and_the_app_runs_the_rule(hooked: tuple[Company, str, str]):
    acme, url, secret = hooked
    content = json.dumps({"phone": "+5511988887777", "text": "x"}).encode()
    response = httpx.post(
        url,
        content=content,
        headers={"X-Signature": sign(secret, content), "Idempotency-Key": "a1"},
    )
    assert response.status_code == 202, response.text
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"
    # The app's own spine runner (in the web process here) queues the reply: polled, with a
    # generous bound that only stops a broken run from hanging (not a latency assertion).
    deadline = time.monotonic() + 120
    while _replies(acme) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    again = httpx.post(
        url, content=content, headers={"X-Webhook-Secret": secret, "Idempotency-Key": "a1"}
    )
    assert again.status_code == 202
    assert _replies(acme) == 1


def test_strangers_get_401_and_no_cors_grant(hooked: tuple[Company, str, str]) -> None:
    acme, url, _secret = hooked
    body = b'{"phone": "+5511988887777"}'
    for cookies in ({}, {"wa_session": acme.owner_token}):  # a session is no secret
        response = httpx.post(url, content=body, cookies=cookies, headers={"Origin": EVIL})
        assert response.status_code == 401
        assert "access-control-allow-origin" not in response.headers
    preflight = httpx.options(
        url, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_an_oversize_body_is_cut_off(hooked: tuple[Company, str, str]) -> None:
    _acme, url, secret = hooked
    big = b'{"phone": "+5511988887777", "text": "' + b"x" * (70 * 1024) + b'"}'
    response = httpx.post(url, content=big, headers={"X-Webhook-Secret": secret})
    assert response.status_code == 413

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 8192

    streamed = httpx.post(url, content=chunks(), headers={"X-Webhook-Secret": secret})
    assert streamed.status_code == 413
