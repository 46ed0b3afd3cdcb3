"""The CRM next to the chat, in real browsers: find a customer, edit a custom field in the
inbox's contact panel, tag the contact and the conversation, and see the edit arrive at once
in the contact's CRM profile open in a second browser. Then save a segment on the Contacts
page and start a campaign from it, watching its progress. Screenshots go to
/tmp/panel-shots (1366x768 and 390 px, English and Portuguese)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import NAVIGATION_TIMEOUT_MS, sign_in, sign_up, unique_email
from tests.browser.pipeline_helpers import add_contact
from tests.browser.test_crm_contacts import _define_city, _open_contacts
from tests.browser.test_inbox_flow import customer_phone, linked_business
from tests.browser.test_scheduling_flow import add_number
from tests.browser.test_whatsapp_flow import sim_post

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/panel-shots")
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _language(page: Page, code: str) -> None:
    select = page.locator("#sidebar-language")
    select.select_option(code)
    expect(select).to_have_value(code)


def _phone() -> str:
    return "+55119" + "".join(str(secrets.randbelow(10)) for _ in range(8))


def test_edit_in_the_inbox_panel_shows_up_in_the_crm_profile(
    browser: Browser, live_app: RunningApp
) -> None:
    page = browser.new_page(locale="en-US", viewport=LAPTOP)
    email = unique_email("panel")
    sign_up(page, live_app.url, company="Padaria", name="Olivia Souza", email=email)
    business, customer = linked_business(page, live_app, "Vendas"), customer_phone()
    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Oi, tem pão?", "push_name": "Maria Lima"},
    )
    _open_contacts(page)
    _define_city(page)
    page.get_by_placeholder("Search contacts").fill("maria")
    rows = page.get_by_test_id("crm-row")
    expect(rows).to_have_count(1, timeout=NAVIGATION_TIMEOUT_MS)

    page.get_by_role("link", name="Inbox").click()
    page.get_by_test_id("conversation-item").filter(has_text="Maria Lima").click()
    panel = page.get_by_test_id("crm-panel")
    expect(panel.get_by_test_id("crm-panel-name")).to_have_text("Maria Lima")
    href = panel.get_by_test_id("crm-panel-name").get_attribute("href")
    assert href

    # A second browser shows the CRM profile of the same contact while the panel edits it.
    crm = browser.new_page(locale="en-US", viewport=LAPTOP)
    sign_in(crm, live_app.url, email)
    expect(crm.get_by_role("heading", name="Dashboard")).to_be_visible(
        timeout=NAVIGATION_TIMEOUT_MS
    )
    crm.goto(live_app.url + href)
    expect(crm.get_by_test_id("crm-profile-name")).to_have_text(
        "Maria Lima", timeout=NAVIGATION_TIMEOUT_MS
    )
    expect(crm.get_by_test_id("crm-profile-value-city")).to_have_text("—")

    panel.get_by_role("button", name="Edit contact").click()
    panel.get_by_label("City").fill("Ribeirão Preto")
    panel.get_by_role("button", name="Save contact").click()
    expect(panel.get_by_test_id("crm-panel-value-city")).to_have_text("Ribeirão Preto")
    # No reload: the profile follows the tenant's live contact feed.
    expect(crm.get_by_test_id("crm-profile-value-city")).to_have_text(
        "Ribeirão Preto", timeout=10_000
    )

    page.get_by_role("button", name="Contact tag: VIP").click()
    expect(page.get_by_role("button", name="Contact tag: VIP")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(crm.get_by_role("button", name="VIP")).to_have_attribute(
        "aria-pressed", "true", timeout=10_000
    )
    panel.get_by_label("Contact note", exact=True).fill("Prefere pão integral")
    panel.get_by_role("button", name="Add contact note").click()
    expect(crm.get_by_test_id("crm-timeline-entry").filter(has_text="integral")).to_be_visible(
        timeout=10_000
    )

    # The conversation's own tags, and the inbox filtered by one.
    page.get_by_role("button", name="Conversation tag: VIP").click()
    expect(page.get_by_role("button", name="Conversation tag: VIP")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_label("Tag", exact=True).select_option(label="VIP")
    expect(page.get_by_test_id("conversation-item")).to_have_count(1)
    _shot(page, "inbox-panel-en-1366")
    _language(page, "pt-BR")
    expect(page.get_by_role("button", name="Salvar contato")).to_have_count(0)
    expect(page.get_by_role("button", name="Editar contato")).to_be_visible()
    # Dates and change labels are written by the server: they follow the switch too.
    expect(panel.get_by_test_id("crm-timeline-entry").filter(has_text="Etiquetas:")).to_be_visible()
    _shot(page, "inbox-panel-pt-1366")

    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Dados do contato").click()
    expect(page.get_by_test_id("crm-panel")).to_be_in_viewport()
    _shot(page, "inbox-panel-pt-390")
    page.set_viewport_size(LAPTOP)  # the language menu lives in the wide sidebar
    _language(page, "en")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("button", name="Edit contact")).to_be_visible()
    _shot(page, "inbox-panel-en-390")
    crm.close()
    page.close()


def test_save_a_segment_and_start_a_campaign_from_it(
    browser: Browser, live_app: RunningApp
) -> None:
    page = browser.new_page(locale="en-US", viewport=LAPTOP)
    email = unique_email("segcamp")
    sign_up(page, live_app.url, company="Loja", name="Lia", email=email)
    add_number(page, "Vendas")
    for name in ("Ana Silva", "Bruno Silva", "Caio Souza"):
        add_contact(live_app.database_url, email, name, _phone())

    _open_contacts(page)
    page.get_by_placeholder("Search contacts").fill("silva")
    expect(page.get_by_test_id("crm-row")).to_have_count(2, timeout=NAVIGATION_TIMEOUT_MS)
    page.get_by_text("Filters", exact=True).click()  # the filters' <details>
    page.locator("#crm-segment-name").fill("Família Silva")
    page.get_by_role("button", name="Save as segment").click()
    expect(page.get_by_role("status")).to_contain_text("Família Silva")
    page.get_by_label("Segment", exact=True).select_option(label="Família Silva")
    page.get_by_role("button", name="Start campaign").click()

    expect(page.get_by_role("tab", name="Campaigns")).to_have_attribute(
        "aria-selected", "true", timeout=NAVIGATION_TIMEOUT_MS
    )
    audience = page.get_by_label("Audience")
    expect(audience.locator("option:checked")).to_have_text("Família Silva")
    page.get_by_label("Campaign name").fill("Silvas")
    page.get_by_label("Send from").select_option(label="Vendas")
    page.locator("#campaign-text").fill("Olá {{first_name}}!")
    page.get_by_role("button", name="Create draft").click()
    # The segment is read when the campaign starts: a Silva added after the draft gets it.
    expect(page.get_by_role("status")).to_contain_text("the segment's contacts are added")
    card = page.get_by_test_id("campaign-card").filter(has_text="Silvas")
    expect(card.get_by_test_id("count-pending")).to_have_text("0")
    add_contact(live_app.database_url, email, "Dora Silva", _phone())
    card.get_by_role("button", name="Start").click()
    expect(card.get_by_test_id("count-queued")).to_have_text("3", timeout=15_000)
    expect(card.get_by_test_id("count-pending")).to_have_text("0")
    expect(card).to_contain_text("Running")
    page.close()
