"""Dates follow a language switch at once (chat bubbles, the contact profile), and inbox rows
show their conversation's tags as chips: two and "+N"."""

from __future__ import annotations

import os
import re
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import NAVIGATION_TIMEOUT_MS, sign_up, unique_email
from tests.browser.test_inbox_flow import customer_phone, linked_business
from tests.browser.test_whatsapp_flow import sim_post

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CRM_SCREENSHOTS", "")  # a folder: also save screenshots there
EN_DATE = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}")
PT_DATE = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
EN_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _language(page: Page, code: str) -> None:
    select = page.locator("#sidebar-language")
    select.select_option(code)
    expect(select).to_have_value(code)


def _tag_conversations(app: RunningApp, customer_name: str, names: list[str]) -> None:
    """Tags on the customer's conversation, written as the tag tables hold them (the app has
    no conversation-tag editor yet)."""
    url = app.database_url.replace("+psycopg", "")
    with psycopg.connect(url, autocommit=True) as conn:
        conv = conn.execute(
            "SELECT cv.id, cv.tenant_id FROM conversations cv JOIN contacts c "
            "ON c.id = cv.contact_id WHERE c.push_name = %s",
            (customer_name,),
        ).fetchone()
        assert conv is not None
        colors = ["amber", "red", "green", "blue"]
        for i, name in enumerate(names):
            tag = conn.execute(
                "INSERT INTO crm_tags (tenant_id, name, color, created_at) "
                "VALUES (%s, %s, %s, now()) RETURNING id",
                (conv[1], name, colors[i % len(colors)]),
            ).fetchone()
            assert tag is not None
            conn.execute(
                "INSERT INTO crm_conversation_tags (tenant_id, conversation_id, tag_id) "
                "VALUES (%s, %s, %s)",
                (conv[1], conv[0], tag[0]),
            )


def test_chat_times_and_profile_dates_follow_the_language_and_rows_show_tag_chips(
    browser: Browser, live_app: RunningApp
) -> None:
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    sign_up(page, live_app.url, company="Padaria", name="Olivia", email=unique_email("dates"))
    business = linked_business(page, live_app, "Vendas")
    customer = customer_phone()
    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Tem pão?", "push_name": "Dona Rosa"},
    )
    page.get_by_role("link", name="Inbox").click()
    row = page.get_by_test_id("conversation-item").filter(has_text="Dona Rosa")
    expect(row).to_be_visible(timeout=NAVIGATION_TIMEOUT_MS)
    _tag_conversations(live_app, "Dona Rosa", ["VIP", "Atraso", "Novo", "B2B"])
    page.reload()
    chips = row.get_by_test_id("conversation-tag-chip")
    expect(chips).to_have_count(2, timeout=NAVIGATION_TIMEOUT_MS)
    expect(chips.first).to_have_text("Atraso")
    expect(row.get_by_test_id("conversation-tags-more")).to_have_text("+2")
    expect(row.get_by_test_id("conversation-tags-more")).to_have_attribute("title", "Novo, VIP")

    row.click()
    time = page.get_by_test_id("message-time").first
    expect(time).to_have_text(EN_DATE)
    _shot(page, "inbox-chips-en-1366")
    _language(page, "pt-BR")
    expect(time).to_have_text(PT_DATE)  # the same bubble, redrawn without a reload
    _shot(page, "inbox-chips-pt-1366")
    if SHOTS:
        page.set_viewport_size({"width": 390, "height": 844})
        page.get_by_role("button", name=re.compile("Voltar|Back")).first.click()
        _shot(page, "inbox-chips-pt-390")
        page.set_viewport_size({"width": 1366, "height": 768})
    _language(page, "en")

    # The contact profile: an opt-out writes a dated sentence and a timeline entry.
    page.get_by_role("link", name="Contacts").click()
    page.get_by_placeholder("Search contacts").fill("rosa")
    page.get_by_test_id("crm-row-name").first.click()
    expect(page.get_by_test_id("crm-profile-name")).to_have_text("Dona Rosa")
    page.get_by_role("button", name="Opt out").click()
    status = page.get_by_test_id("crm-optout-status")
    expect(status).to_have_text(re.compile(r"Opted out on " + EN_DATE.pattern))
    _language(page, "pt-BR")
    expect(status).to_have_text(re.compile(r"Descadastrado em " + PT_DATE.pattern))
    body = page.locator("body")
    expect(body).not_to_have_text(EN_MONTH)
    _shot(page, "profile-dates-pt-1366")
    _language(page, "en")
    expect(status).to_have_text(re.compile(r"Opted out on " + EN_DATE.pattern))

    # The list sorts by last contact, newest first on the first click; its dates follow too.
    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer_phone(), "to": business, "text": "Oi", "push_name": "Seu Zé"},
    )
    page.get_by_role("link", name="Contacts").click()
    page.get_by_placeholder("Search contacts").fill("")  # the list keeps its last search
    names = page.get_by_test_id("crm-row-name")
    expect(names).to_have_count(2, timeout=NAVIGATION_TIMEOUT_MS)
    page.get_by_role("button", name="Last contact").click()
    expect(names).to_have_text(["SZSeu Zé", "DRDona Rosa"])  # avatar initials, then name
    rows = page.get_by_test_id("crm-row")
    expect(rows.first).to_contain_text(EN_DATE)
    page.get_by_role("button", name="Last contact").click()
    expect(names).to_have_text(["DRDona Rosa", "SZSeu Zé"])
    _shot(page, "list-last-contact-en-1366")
    _language(page, "pt-BR")
    expect(rows.first).to_contain_text(PT_DATE)
    expect(rows.first).not_to_contain_text(EN_MONTH)
    _shot(page, "list-last-contact-pt-1366")
    if SHOTS:
        page.set_viewport_size({"width": 390, "height": 844})
        _shot(page, "list-last-contact-pt-390")
