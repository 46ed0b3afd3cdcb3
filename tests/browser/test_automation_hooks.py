"""The "Webhook received" trigger in a real browser: choose it, save, see the rule's URL and
its secret (in full once, masked afterwards), rotate it, and call the URL with it; the builder
in English and pt-BR at a laptop's and a phone's width (screenshots in /tmp/hook-shots)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import _tenant_owner

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/hook-shots")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def _add_number(email: str) -> None:
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.whatsapp import service as numbers

    owner = _tenant_owner(email)
    with session_scope() as session:
        numbers.add_number(TenantScope(session, owner.tenant_id), name="Loja")


def test_webhook_rule_shows_its_url_and_secret(page: Page, live_app: RunningApp) -> None:
    email = unique_email("hook")
    sign_up(page, live_app.url, company="Loja Online", name="Hugo", email=email)
    _add_number(email)
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("button", name="New rule").click()
    page.get_by_label("Rule name").fill("Pedido enviado")
    page.get_by_label("Trigger").select_option(label="Webhook received")
    expect(page.get_by_text("Save the rule to get its URL and secret.")).to_be_visible()
    page.get_by_label("Action", exact=True).select_option(label="Send message")
    page.get_by_label("Message", exact=True).fill("Seu pedido {{webhook.fields.order}} saiu!")
    page.get_by_role("button", name="Save", exact=True).click()

    url_field = page.get_by_label("Inbound URL")
    expect(url_field).to_be_visible()
    url = url_field.input_value()
    assert "/hooks/automations/" in url
    secret = page.get_by_label("Secret", exact=True).input_value()
    assert secret.startswith("whsec_") and "•" not in secret
    expect(page.get_by_text("Copy the secret now")).to_be_visible()
    expect(page.get_by_role("button", name="Copy URL")).to_be_visible()
    expect(page.get_by_role("button", name="Copy secret")).to_be_visible()
    _shot(page, "builder-hook-fresh-en")

    # Back to the list and in again: the secret is masked now, the URL the same.
    page.get_by_role("button", name="Cancel").click()
    page.get_by_test_id("rule-row").filter(has_text="Pedido enviado").get_by_role(
        "button", name="Edit"
    ).click()
    expect(page.get_by_label("Inbound URL")).to_have_value(url)
    masked = page.get_by_label("Secret", exact=True)
    expect(masked).to_have_value(f"whsec_{'•' * 12}{secret[-4:]}")

    page.get_by_role("button", name="Rotate secret").click()
    expect(page.get_by_text("New secret made")).to_be_visible()
    rotated = page.get_by_label("Secret", exact=True).input_value()
    assert rotated.startswith("whsec_") and rotated != secret

    path = url[url.index("/hooks/") :]  # the page's base URL may name another host
    content = json.dumps({"phone": "+5511988887777", "fields": {"order": "42"}}).encode()
    old = httpx.post(live_app.url + path, content=content, headers={"X-Webhook-Secret": secret})
    assert old.status_code == 401
    new = httpx.post(live_app.url + path, content=content, headers={"X-Webhook-Secret": rotated})
    assert new.status_code == 202, new.text

    page.get_by_label("Language").select_option("pt-BR")
    page.get_by_role("button", name="Cancelar").click()
    page.get_by_test_id("rule-row").filter(has_text="Pedido enviado").get_by_role(
        "button", name="Editar"
    ).click()
    expect(page.get_by_label("URL de entrada")).to_have_value(url)
    expect(page.get_by_label("Segredo", exact=True)).to_have_value(
        f"whsec_{'•' * 12}{rotated[-4:]}"
    )
    expect(page.get_by_role("button", name="Trocar segredo")).to_be_visible()
    _shot(page, "builder-hook-masked-pt-BR")
