"""A manager ticks contacts in the list and adds them to a draft campaign: the confirmation
names the campaign and the count, the result says how many were added and skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, create_engine

from tests.browser.conftest import RunningApp
from tests.browser.helpers import NAVIGATION_TIMEOUT_MS, sign_up, unique_email
from tests.browser.test_scheduling_flow import add_number, query
from whatsapp_saas.scheduling.campaigns import create_campaign
from whatsapp_saas.tenancy.scope import TenantScope

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CRM_SCREENSHOTS", "")


def _new_contact(page: Page, name: str, phone: str) -> None:
    page.get_by_role("link", name="Contacts").click()
    page.get_by_role("button", name="New contact").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Phone", exact=True).fill(phone)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("crm-profile-name")).to_have_text(
        name, timeout=NAVIGATION_TIMEOUT_MS
    )


def _draft_campaign(app: RunningApp, email: str, name: str) -> int:
    ((tenant_id, number_id),) = query(
        app,
        "SELECT u.tenant_id, n.id FROM users u JOIN whatsapp_numbers n"
        " ON n.tenant_id = u.tenant_id WHERE u.email = %s",
        email,
    )
    # A draft needs a recipient: Ana is in it already.
    ((ana_id,),) = query(
        app, "SELECT id FROM contacts WHERE tenant_id = %s AND name = 'Ana Lote'", tenant_id
    )
    engine = create_engine(app.database_url)
    with Session(engine) as session:
        draft = create_campaign(
            TenantScope(session, tenant_id),
            name=name,
            number_id=number_id,
            text="Oi {{nome}}",
            contact_ids=[ana_id],
        )
        session.commit()
        campaign_id = int(draft.campaign.id or 0)
    engine.dispose()
    return campaign_id


def test_add_ticked_contacts_to_a_draft_campaign(browser: Browser, live_app: RunningApp) -> None:
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    email = unique_email("bulkcamp")
    sign_up(page, live_app.url, company="Livraria Lote", name="Lia", email=email)
    add_number(page, "Vendas")
    _new_contact(page, "Ana Lote", "(11) 97777-1001")
    _new_contact(page, "Bruno Lote", "(11) 97777-1002")
    campaign_id = _draft_campaign(live_app, email, "Ofertas de dezembro")

    page.get_by_role("link", name="Contacts").click()
    page.reload()
    for name in ("Ana Lote", "Bruno Lote"):  # a controlled box: the server ticks it
        box = page.get_by_label(f"Select {name}")
        box.click()
        expect(box).to_be_checked()
    page.get_by_label("Action").select_option(label="Add to campaign")
    page.get_by_label("Campaign").select_option(label="Ofertas de dezembro")
    page.get_by_role("button", name="Run").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(
        "Add the selected contacts (2) to the campaign “Ofertas de dezembro”?"
    )
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/bulk-campaign-confirm-en-1366.png")
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(
        page.get_by_text(
            "Campaign “Ofertas de dezembro”: added 1, skipped 1 (opted out: 0; already in it: 1)."
        )
    ).to_be_visible()

    rows = query(
        live_app, "SELECT count(*) FROM campaign_recipients WHERE campaign_id = %s", campaign_id
    )
    assert rows == [(2,)]  # Ana once, Bruno added
    if SHOTS:
        page.get_by_label("Language").first.select_option("pt-BR")
        expect(page.get_by_placeholder("Buscar contatos")).to_be_visible()
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/bulk-campaign-result-pt-390.png", full_page=True)
