"""The rule builder's conditions editor in a real browser: a keyword rule with an OR of a
tag condition and a negated group, saved, reopened intact, and screenshots of the builder
at a laptop's and a phone's width in English and Portuguese."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/triggers-shots")


def build_rule_with_a_group(page: Page) -> None:
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("button", name="New rule").click()
    page.get_by_label("Trigger").select_option(label="Keyword")
    page.get_by_label("Keyword", exact=True).fill("preco")
    page.get_by_role("button", name="Add condition").click()
    page.get_by_role("button", name="Add condition").click()
    rows = page.get_by_test_id("condition-row")
    expect(rows).to_have_count(2)
    page.locator("#auto-cond-type-0").select_option("has_tag")
    page.locator("#auto-cond-value-0").fill("vip")
    page.locator("#auto-cond-type-1").select_option("status")
    page.locator("#auto-cond-value-1").select_option("resolved")
    page.locator("#auto-cond-group-1").select_option("a")
    page.locator("#auto-cond-not-1").check()
    page.get_by_label("Combine the conditions").select_option("any")
    page.get_by_label("Action", exact=True).first.select_option(label="Send message")
    page.get_by_label("Message", exact=True).fill("Tabela de preços")
    page.locator("#auto-delay-0").fill("5")
    expect(page.get_by_role("switch", name="Enabled")).to_be_checked()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("rule-row").filter(has_text="preco")).to_be_visible()


def test_a_condition_group_round_trips_and_screenshots(page: Page, live_app: RunningApp) -> None:
    SHOTS.mkdir(exist_ok=True)
    sign_up(page, live_app.url, company="Padaria", name="Olivia", email=unique_email("cond"))
    build_rule_with_a_group(page)
    page.get_by_test_id("rule-row").filter(has_text="preco").get_by_role(
        "button", name="Edit"
    ).click()
    rows = page.get_by_test_id("condition-row")
    expect(rows).to_have_count(2)
    expect(page.locator("#auto-cond-group-1")).to_have_value("a")
    expect(page.locator("#auto-cond-not-1")).to_be_checked()
    expect(page.locator("#auto-cond-join")).to_have_value("any")
    expect(page.locator("#auto-cond-value-0")).to_have_value("vip")
    expect(page.locator("#auto-delay-0")).to_have_value("5")
    for language in ("en", "pt-BR"):
        if language == "pt-BR":
            page.set_viewport_size({"width": 1366, "height": 768})
            page.locator("#sidebar-language").select_option("pt-BR")
            expect(page.get_by_role("heading", name="Condições")).to_be_visible()
        for width, height in ((1366, 768), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.get_by_test_id("condition-row").first.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"builder-{language}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("#sidebar-language").select_option("en")
    expect(page.get_by_role("heading", name="Conditions")).to_be_visible()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Dry run").click()
    page.get_by_label("Sample text").fill("Qual o preço?")
    page.get_by_role("button", name="Check the rules").click()
    expect(page.get_by_test_id("dry-run-line").filter(has_text="preco")).to_be_visible()
