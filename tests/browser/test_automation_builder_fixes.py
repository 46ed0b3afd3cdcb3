"""The rule builder in a real browser: the "Deal won" template keeps its Won filter through
Edit and Save, a "WhatsApp number is" condition picks one of the tenant's linked numbers by
name, a snooze "until" a date and time is refused in the past naming the field, and the
out-of-hours template fills in the Business hours reply. Screenshots (English and pt-BR,
1366x768 and 390 px wide) go to /tmp/builder-fix-shots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import _tenant_owner

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/builder-fix-shots")


def _numbers(email: str) -> dict[str, str]:
    """Two linked numbers, written straight into the running app's database."""
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.whatsapp.models import WhatsAppNumber

    owner = _tenant_owner(email)
    with session_scope() as session:
        rows = [
            WhatsAppNumber(tenant_id=owner.tenant_id, name=name, phone=phone)
            for name, phone in (("Sales", "+5511900000001"), ("Support", "+5511900000002"))
        ]
        session.add_all(rows)
        session.flush()
        return {row.name: str(row.id) for row in rows}


def _edit(page: Page, name: str) -> None:
    row = page.get_by_test_id("rule-row").filter(has_text=name)
    row.get_by_role("button", name="Edit").click()


def test_deal_won_number_condition_and_snooze_until(page: Page, live_app: RunningApp) -> None:
    email = unique_email("builderfix")
    sign_up(page, live_app.url, company="Loja", name="Bia", email=email)
    numbers = _numbers(email)
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("button", name="Templates").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Use template: Deal won: thank-you").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    _edit(page, "Deal won")
    outcome = page.get_by_label("Won or lost (optional)")
    expect(outcome).to_have_value("won")

    page.get_by_role("button", name="Add condition").click()
    page.locator("#auto-cond-type-0").select_option(label="WhatsApp number is")
    number = page.locator("#auto-cond-value-0")
    expect(number.locator("option")).to_have_text(
        ["Sales (+55 11 90000-0001)", "Support (+55 11 90000-0002)"]
    )
    number.select_option(numbers["Sales"])
    page.get_by_role("button", name="Add action").click()
    page.locator("#auto-action-1").select_option(label="Snooze")
    page.get_by_label("Snooze until (date and time)").fill("2020-01-01T09:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Snooze until: choose a date and time in the future.")).to_be_visible()
    expect(page.get_by_label("Snooze until (date and time)")).to_have_value("2020-01-01T09:00")
    page.get_by_label("Snooze until (date and time)").fill("2040-01-01T09:00")
    page.get_by_role("button", name="Save", exact=True).click()
    row = page.get_by_test_id("rule-row").filter(has_text="Deal won")
    expect(row).to_contain_text("Deal stage changed · Moved to a stage marked Won")

    _edit(page, "Deal won")  # everything came back
    expect(page.get_by_label("Won or lost (optional)")).to_have_value("won")
    expect(page.locator("#auto-cond-type-0")).to_have_value("number")
    expect(page.locator("#auto-cond-value-0")).to_have_value(numbers["Sales"])
    expect(page.get_by_label("Snooze until (date and time)")).to_have_value("2040-01-01T09:00")

    SHOTS.mkdir(exist_ok=True)
    for language in ("en", "pt-BR"):
        if language == "pt-BR":
            page.set_viewport_size({"width": 1366, "height": 768})
            page.locator("#sidebar-language").select_option("pt-BR")
            expect(page.get_by_label("Ganho ou perdido (opcional)")).to_have_value("won")
        for width, height in ((1366, 768), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.locator("#auto-only-outcome").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"builder-{language}-{width}.png"), full_page=True)

    # The out-of-hours template fills in the Business hours reply (switched off) and shows it.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("button", name="Modelos").click()
    page.get_by_role("dialog").get_by_role(
        "button", name="Usar modelo: Resposta fora do horário"
    ).click()
    expect(page.get_by_text("Resposta fora do horário: confira o texto abaixo")).to_be_visible()
    expect(page.locator("#hours-ooh-message")).to_have_value(
        "Estamos fora do horário de atendimento; responderemos assim que abrirmos."
    )
    expect(page.get_by_role("switch", name="Responder fora do horário")).not_to_be_checked()
    page.screenshot(path=str(SHOTS / "ooh-template-pt-BR-1366.png"), full_page=True)
