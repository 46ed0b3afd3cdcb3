"""Linking a WhatsApp number the way a person does: Connect, scan the QR code shown in the
page (decoded from the image, as a phone would), and watch it turn Connected live."""

from __future__ import annotations

import io
import json
import urllib.request

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_in, sign_up, unique_email

pytestmark = pytest.mark.browser


def sim_post(app: RunningApp, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        app.simulator_url + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def scan_qr(page: Page) -> str:
    image = page.get_by_alt_text("QR code")
    expect(image).to_be_visible(timeout=30_000)
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
    assert results, "the QR image in the page could not be decoded"
    return str(results[0].text)


def add_number(page: Page, name: str) -> None:
    page.get_by_role("link", name="WhatsApp").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Add number").click()
    expect(page.get_by_test_id("number-row").filter(has_text=name)).to_be_visible()


def test_qr_link_shows_connected_live_in_every_browser(
    browser: Browser, live_app: RunningApp
) -> None:
    email = unique_email("owner")
    page = browser.new_page(locale="en-US")
    sign_up(page, live_app.url, company="Loja", name="Olivia", email=email)
    add_number(page, "Vendas")
    watcher = browser.new_page(locale="en-US")
    sign_in(watcher, live_app.url, email)
    watcher.get_by_role("link", name="WhatsApp").click()
    expect(watcher.get_by_test_id("number-row")).to_contain_text("Disconnected")

    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_test_id("qr-countdown")).to_have_text(__import__("re").compile(r"^\d+$"))
    code = scan_qr(page)
    sim_post(
        live_app, "/sim/link", {"qr": code, "phone": "+5511999990000", "push_name": "Loja Vendas"}
    )

    expect(page.get_by_test_id("connected-as")).to_contain_text("+5511999990000", timeout=20_000)
    expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    expect(watcher.get_by_test_id("number-state")).to_have_text("Connected", timeout=20_000)

    sim_post(live_app, "/sim/phones/+5511999990000/unlink", {})
    expect(watcher.get_by_test_id("number-state")).to_have_text("Logged out", timeout=20_000)
    expect(watcher.get_by_test_id("number-reason")).not_to_be_empty()


def test_pairing_code_instead_of_qr(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Padaria", name="Paula", email=unique_email("owner"))
    add_number(page, "Atendimento")
    page.get_by_role("button", name="Connect").click()
    page.get_by_role("button", name="Use pairing code instead").click()
    page.get_by_label("Phone number (with country code)").fill("+55 11 98888-0000")
    page.get_by_role("button", name="Get pairing code").click()
    code = page.get_by_test_id("pairing-code")
    expect(code).to_have_text(
        __import__("re").compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$"), timeout=30_000
    )
    sim_post(live_app, "/sim/pair", {"phone": "+5511988880000", "code": code.inner_text()})
    expect(page.get_by_test_id("connected-as")).to_contain_text("+5511988880000", timeout=20_000)


def test_bad_phone_for_pairing_gets_a_clear_error(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Acme", name="Ana", email=unique_email("owner"))
    add_number(page, "Suporte")
    page.get_by_role("button", name="Connect").click()
    page.get_by_role("button", name="Use pairing code instead").click()
    page.get_by_label("Phone number (with country code)").fill("12")
    page.get_by_role("button", name="Get pairing code").click()
    expect(page.get_by_role("alert")).to_contain_text("valid phone number")
