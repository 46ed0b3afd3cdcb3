"""Automations in a real browser: build a keyword rule by its English labels, try it in a
dry run, send the keyword from the simulated phone, see the reply once on the phone and in
the inbox with the automation badge, and the firing in the run log."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import _wait_for, customer_phone, linked_business, phone_texts
from tests.browser.test_whatsapp_flow import sim_post

pytestmark = pytest.mark.browser

REPLY = "Nossa tabela de preços, {{contact.first_name}}!"


def build_keyword_rule(page: Page) -> None:
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("button", name="New rule").click()
    page.get_by_label("Trigger").select_option(label="Keyword")
    page.get_by_label("Keyword", exact=True).fill("preco")
    page.get_by_label("Action", exact=True).first.select_option(label="Send message")
    page.get_by_label("Message", exact=True).fill(REPLY)
    page.get_by_role("button", name="Add action").click()
    page.get_by_label("Action", exact=True).nth(1).select_option(label="Add tag")
    page.get_by_label("Tag", exact=True).fill("lead")
    expect(page.get_by_role("switch", name="Enabled")).to_be_checked()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("rule-row").filter(has_text="preco")).to_be_visible()


def test_keyword_rule_replies_once_and_shows_in_the_inbox(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Padaria", name="Olivia", email=unique_email("auto"))
    business = linked_business(page, live_app, "Vendas")
    build_keyword_rule(page)

    page.get_by_role("button", name="Dry run").click()
    page.get_by_label("Sample text").fill("Qual o preço do pão?")
    page.get_by_role("button", name="Check the rules").click()
    line = page.get_by_test_id("dry-run-line").filter(has_text="preco")
    expect(line).to_contain_text("Would fire")
    expect(line).to_contain_text("Add tag: lead")

    customer = customer_phone()
    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Qual o PREÇO?", "push_name": "Maria Souza"},
    )
    expected = "Nossa tabela de preços, Maria!"
    _wait_for(lambda: expected in phone_texts(live_app, customer))

    page.get_by_role("link", name="Inbox").click()
    page.get_by_test_id("conversation-item").filter(has_text="Maria").click()
    bubble = page.get_by_test_id("outgoing-bubble").filter(has_text=expected)
    expect(bubble).to_be_visible()
    expect(bubble.get_by_test_id("message-sender")).to_have_text("Automation · preco")
    assert phone_texts(live_app, customer).count(expected) == 1

    page.get_by_role("link", name="Automations").click()
    page.get_by_role("button", name="Run log").click()
    expect(page.get_by_test_id("run-row").first).to_contain_text("Fired")


def test_dry_run_explains_why_a_rule_would_not_fire(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Oficina", name="Otto", email=unique_email("dry"))
    build_keyword_rule(page)
    page.get_by_role("button", name="Dry run").click()
    page.get_by_label("Sample text").fill("bom dia")
    page.get_by_role("button", name="Check the rules").click()
    line = page.get_by_test_id("dry-run-line").filter(has_text="preco")
    expect(line).to_contain_text("Would not fire")
    expect(line).to_contain_text("The keyword did not match")
