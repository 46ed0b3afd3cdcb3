"""The Pipeline board in real browsers: **New deal** with per-field errors, the tenant's deal
custom fields in the form and on the card, then a deal dragged across stages in one browser
shows up moved in a second one, without a reload."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import NAVIGATION_TIMEOUT_MS, sign_in, sign_up, unique_email
from tests.browser.pipeline_helpers import add_contact, add_deal, add_deal_field

pytestmark = pytest.mark.browser


def _phone() -> str:
    return "+55119" + "".join(str(secrets.randbelow(10)) for _ in range(8))


def _column(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stage-column").filter(
        has=page.get_by_role("heading", name=name, exact=True)
    )


def _open_pipeline(page: Page) -> None:
    page.get_by_role("link", name="Pipeline").click()
    expect(page.get_by_role("heading", name="Pipeline", exact=True)).to_be_visible(
        timeout=NAVIGATION_TIMEOUT_MS
    )
    expect(page.get_by_test_id("stage-column")).to_have_count(5, timeout=NAVIGATION_TIMEOUT_MS)


def test_new_deal_refuses_bad_fields_then_lands_in_its_column(
    page: Page, live_app: RunningApp
) -> None:
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Doces", name="Olivia", email=email)
    add_contact(live_app.database_url, email, "Maria Bolos", _phone())
    _open_pipeline(page)

    page.get_by_role("button", name="New deal").click()
    dialog = page.get_by_test_id("deal-form")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Value (R$)").fill("doze reais")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.locator("#deal-title-error")).to_have_text("Give the deal a title.")
    expect(dialog.locator("#deal-contact-error")).to_have_text("Choose a contact.")
    expect(dialog.locator("#deal-value-error")).to_contain_text("Type an amount")
    expect(page.get_by_test_id("deal-card")).to_have_count(0)
    _screenshots(page, "deal-form", switch_language=False)

    dialog.get_by_label("Title").fill("Bolo de casamento")
    dialog.get_by_label("Find a contact").fill("maria")
    picker = dialog.get_by_label("Contact", exact=True)
    expect(picker.locator("option")).to_have_count(2)  # "Choose a contact…" and Maria
    expect(picker.locator("option").nth(1)).to_contain_text("Maria Bolos")
    picker.select_option(index=1)
    dialog.get_by_label("Value (R$)").fill("1.500,00")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    new = _column(page, "New")
    card = new.get_by_test_id("deal-card").filter(has_text="Bolo de casamento")
    expect(card).to_contain_text("R$1,500.00", timeout=10_000)
    expect(card).to_contain_text("Olivia")
    expect(new.get_by_test_id("column-count")).to_have_text("1 deal")
    expect(new.get_by_test_id("column-total")).to_have_text("R$1,500.00")
    _screenshots(page, "board")

    # A manager adds a stage: every column of the board follows.
    page.get_by_text("Pipeline settings").click()
    page.get_by_label("New stage name").fill("Delivery")
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_test_id("stage-column")).to_have_count(6, timeout=10_000)
    expect(page.get_by_test_id("stage-settings-row")).to_have_count(6)
    _screenshots(page, "settings")


def test_deal_custom_fields_in_the_form_and_on_the_card(page: Page, live_app: RunningApp) -> None:
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Confeitaria", name="Olivia", email=email)
    add_contact(live_app.database_url, email, "Ana Doces", _phone())
    add_deal_field(live_app.database_url, email, "flavour", "Flavour", "text")
    add_deal_field(live_app.database_url, email, "discount", "Discount", "percent", max_value=30)
    add_deal_field(
        live_app.database_url, email, "size", "Size", "select", options=["Small", "Large"]
    )
    _open_pipeline(page)

    page.get_by_role("button", name="New deal").click()
    dialog = page.get_by_test_id("deal-form")
    dialog.get_by_label("Title").fill("Bolo de aniversário")
    dialog.get_by_label("Find a contact").fill("ana")
    picker = dialog.get_by_label("Contact", exact=True)
    expect(picker.locator("option")).to_have_count(2)
    picker.select_option(index=1)
    dialog.get_by_label("Flavour").fill("Chocolate")
    dialog.get_by_label("Discount").fill("95")
    dialog.get_by_label("Size").select_option(label="Large")
    dialog.get_by_role("button", name="Save").click()
    # The service's error sits under its own field; nothing is saved, what was typed stays.
    expect(dialog.locator("#deal-field-discount-error")).to_be_visible()
    expect(dialog.locator("#deal-field-flavour-error")).to_have_count(0)
    expect(dialog.get_by_label("Flavour")).to_have_value("Chocolate")
    expect(page.get_by_test_id("deal-card")).to_have_count(0)
    _form_screenshots(page, "deal-form-fields")

    dialog.get_by_label("Discount").fill("10")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    card = _column(page, "New").get_by_test_id("deal-card")
    lines = card.get_by_test_id("deal-card-field")
    expect(lines).to_have_count(2, timeout=10_000)
    expect(lines.nth(0)).to_have_text("Flavour: Chocolate")
    expect(lines.nth(1)).to_have_text("Discount: 10%")
    _form_screenshots(page, "board-fields")

    # Editing loads the stored values; a change shows on the card.
    card.get_by_test_id("deal-open").click()
    expect(dialog.get_by_label("Flavour")).to_have_value("Chocolate")
    expect(dialog.get_by_label("Discount")).to_have_value("10")
    expect(dialog.get_by_label("Size")).to_have_value("Large")
    dialog.get_by_label("Flavour").fill("")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(lines.nth(0)).to_have_text("Discount: 10%", timeout=10_000)
    expect(lines.nth(1)).to_have_text("Size: Large")


def _form_screenshots(page: Page, name: str) -> None:
    """With SCREENSHOT_DIR set: the page at 1366x768 and at 390 px, in English."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{folder}/{name}-en-1366.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    page.screenshot(path=f"{folder}/{name}-en-390.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.wait_for_timeout(300)


def test_a_dragged_deal_moves_in_a_second_browser(browser: Browser, live_app: RunningApp) -> None:
    email = unique_email("owner")
    owner = browser.new_page(locale="en-US")
    sign_up(owner, live_app.url, company="Padaria", name="Olivia", email=email)
    _open_pipeline(owner)  # the first visit makes the default pipeline
    contact = add_contact(live_app.database_url, email, "João Pães", _phone())
    # Written by this test process, whose events reach no app: the owner reloads once.
    add_deal(live_app.database_url, email, contact, "Pão para o casamento", 250_00)
    owner.reload()
    colleague = browser.new_page(locale="en-US")
    sign_in(colleague, live_app.url, email)
    expect(colleague.get_by_role("heading", name="Dashboard")).to_be_visible(
        timeout=NAVIGATION_TIMEOUT_MS
    )
    _open_pipeline(colleague)
    for page in (owner, colleague):
        expect(_column(page, "New").get_by_test_id("deal-card")).to_have_count(1, timeout=10_000)

    card = _column(owner, "New").get_by_test_id("deal-card")
    card.drag_to(_column(owner, "Proposal"))
    expect(_column(owner, "Proposal").get_by_test_id("deal-card")).to_contain_text(
        "Pão para o casamento"
    )
    moved = _column(colleague, "Proposal").get_by_test_id("deal-card")
    expect(moved).to_contain_text("Pão para o casamento", timeout=10_000)
    expect(_column(colleague, "New").get_by_test_id("deal-card")).to_have_count(0)
    expect(_column(colleague, "Proposal").get_by_test_id("column-total")).to_have_text("R$250.00")

    # The keyboard/phone way: the card's "Move to stage" list, seen by the other browser.
    moved.get_by_role("combobox").select_option(label="Won")
    expect(_column(owner, "Won").get_by_test_id("deal-card")).to_have_count(1, timeout=10_000)
    expect(_column(owner, "Proposal").get_by_test_id("deal-card")).to_have_count(0)

    # The card opens the deal: its history says who moved it, and an edit shows everywhere.
    _column(owner, "Won").get_by_test_id("deal-open").click()
    dialog = owner.get_by_test_id("deal-form")
    history = dialog.get_by_test_id("deal-history-row")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Olivia moved it from Proposal to Won")
    expect(history.nth(2)).to_contain_text("Olivia created it in New")
    dialog.get_by_label("Value (R$)").fill("3.000,50")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    for page in (owner, colleague):
        total = _column(page, "Won").get_by_test_id("column-total")
        expect(total).to_have_text("R$3,000.50", timeout=10_000)


def test_a_deal_form_left_open_does_not_follow_to_the_next_page(
    page: Page, live_app: RunningApp
) -> None:
    """The dialog's state outlives the page: one left open with errors on the board used to
    pop up, errors and all, on the next contact profile that was opened."""
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Floricultura", name="Olivia", email=email)
    contact_id = add_contact(live_app.database_url, email, "Bia Flores", _phone())
    _open_pipeline(page)
    page.get_by_role("button", name="New deal").click()
    dialog = page.get_by_test_id("deal-form")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert").first).to_be_visible()

    page.goto(f"{live_app.url}/contacts/{contact_id}")
    expect(page.get_by_test_id("crm-profile-name")).to_have_text(
        "Bia Flores", timeout=NAVIGATION_TIMEOUT_MS
    )
    expect(page.get_by_test_id("deal-form")).to_have_count(0)
    page.get_by_role("link", name="Pipeline").click()
    expect(page.get_by_test_id("stage-column")).to_have_count(5, timeout=NAVIGATION_TIMEOUT_MS)
    expect(page.get_by_test_id("deal-form")).to_have_count(0)


def _screenshots(page: Page, name: str, *, switch_language: bool = True) -> None:
    """With SCREENSHOT_DIR set: the page at 1366x768 and 390 px, in English and pt-BR."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    if not switch_language:
        page.screenshot(path=f"{folder}/{name}-en-1366.png")
        return
    for language, switch in (("en", "English"), ("pt", "Português (Brasil)")):
        page.set_viewport_size({"width": 1366, "height": 768})
        page.locator("#sidebar-language").select_option(label=switch)
        page.wait_for_timeout(800)
        page.screenshot(path=f"{folder}/{name}-{language}-1366.png")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(500)
        page.screenshot(path=f"{folder}/{name}-{language}-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.locator("#sidebar-language").select_option(label="English")
