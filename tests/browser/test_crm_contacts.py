"""The Contacts CRM the way a team uses it: define a field, add a contact, edit the field in
the profile and find the contact by it in the list; import a CSV with a bad row and download
the error report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import NAVIGATION_TIMEOUT_MS, sign_up, unique_email

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CRM_SCREENSHOTS", "")  # a folder: also save screenshots there


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _open_contacts(page: Page) -> None:
    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_placeholder("Search contacts")).to_be_visible(timeout=NAVIGATION_TIMEOUT_MS)


def _define_city(page: Page) -> None:
    page.get_by_role("link", name="Fields and tags").click()
    page.get_by_label("Label").fill("City")
    page.get_by_label("Key").fill("city")
    page.get_by_role("button", name="Add field").click()
    expect(page.get_by_role("status")).to_contain_text("Field added")
    page.get_by_label("Name", exact=True).fill("VIP")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_role("status")).to_contain_text("Tag added")
    page.get_by_role("link", name="Back").click()


def test_search_then_edit_a_field_in_the_profile_and_see_it_in_the_list(
    browser: Browser, live_app: RunningApp
) -> None:
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    sign_up(page, live_app.url, company="Padaria", name="Paula", email=unique_email("crm"))
    _open_contacts(page)
    _define_city(page)
    expect(page.get_by_placeholder("Search contacts")).to_be_visible()

    page.get_by_role("button", name="New contact").click()
    page.get_by_label("Name", exact=True).fill("Maria Conceição")
    page.get_by_label("Phone", exact=True).fill("(11) 98888-7777")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("crm-profile-name")).to_have_text(
        "Maria Conceição", timeout=NAVIGATION_TIMEOUT_MS
    )
    expect(page.get_by_text("+55 11 98888-7777")).to_be_visible()
    expect(page.get_by_text("5511988887777@s.whatsapp.net")).to_be_visible()

    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Email").fill("not an email")
    page.get_by_label("City").fill("Ribeirão Preto")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").filter(has_text="valid email")).to_be_visible()
    expect(page.get_by_test_id("crm-profile-value-city")).to_have_count(0)  # still editing
    page.get_by_label("Email").fill("maria@padaria.com.br")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("crm-profile-value-city")).to_have_text("Ribeirão Preto")
    page.get_by_role("button", name="VIP").click()
    expect(page.get_by_test_id("crm-timeline-entry").first).to_be_visible()
    _shot(page, "profile-en-1366")

    _open_contacts(page)
    page.get_by_placeholder("Search contacts").fill("ribeirao")
    rows = page.get_by_test_id("crm-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Maria Conceição")
    expect(rows.first).to_contain_text("VIP")
    page.get_by_placeholder("Search contacts").fill("recife")
    expect(rows).to_have_count(0)
    page.get_by_placeholder("Search contacts").fill("98888-7777")
    expect(rows).to_have_count(1)
    _shot(page, "list-en-1366")
    if SHOTS:
        page.set_viewport_size({"width": 390, "height": 844})
        _shot(page, "list-en-390")
        page.set_viewport_size({"width": 1366, "height": 768})
        page.get_by_label("Language").first.select_option("pt-BR")
        expect(page.get_by_placeholder("Buscar contatos")).to_be_visible()
        _shot(page, "list-pt-1366")
        page.set_viewport_size({"width": 390, "height": 844})
        _shot(page, "list-pt-390")
        page.set_viewport_size({"width": 1366, "height": 768})
        rows.first.get_by_test_id("crm-row-name").click()
        expect(page.get_by_test_id("crm-profile-name")).to_be_visible()
        _shot(page, "profile-pt-1366")
        page.set_viewport_size({"width": 390, "height": 844})
        _shot(page, "profile-pt-390")


CSV = (
    "Nome;Telefone;E-mail\n"
    "Ana Lima;(11) 97777-6666;ana@x.com.br\n"
    "Bruno Dias;5521988880000;\n"
    "Sem Número;12345;\n"
).encode("cp1252")


def test_import_a_csv_with_one_bad_row_and_download_the_report(
    browser: Browser, live_app: RunningApp, tmp_path: Path
) -> None:
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    sign_up(page, live_app.url, company="Loja", name="Lia", email=unique_email("imp"))
    _open_contacts(page)
    page.get_by_role("link", name="Import CSV").click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "clientes.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    preview = page.get_by_test_id("crm-preview-row")
    expect(preview).to_have_count(3, timeout=NAVIGATION_TIMEOUT_MS)
    expect(preview.nth(0)).to_contain_text("Ana Lima")
    expect(preview.nth(0)).to_contain_text("+55 11 97777-6666")
    expect(preview.nth(2)).to_contain_text("Not a valid phone number: 12345")
    expect(page.get_by_test_id("crm-import-summary")).to_contain_text("Windows-1252")
    _shot(page, "import-preview-en-1366")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Import finished")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("crm-count-created")).to_have_text("2")
    expect(page.get_by_test_id("crm-count-failed")).to_have_text("1")
    _shot(page, "import-report-en-1366")
    with page.expect_download() as caught:
        page.get_by_role("button", name="Download failed rows").click()
    report = Path(caught.value.path()).read_text(encoding="utf-8-sig")
    lines = report.strip().splitlines()
    assert lines[0] == "Nome;Telefone;E-mail;Error"
    assert lines[1:] == ["Sem Número;12345;;Not a valid phone number: 12345"]
    _open_contacts(page)
    expect(page.get_by_test_id("crm-row")).to_have_count(2)
