"""A number's own business hours in a real browser: "Hours for" a number starts from the
company's hours, saving gives it its own, the dry run names the hours it used, and "Use
company hours" puts it back. Then a hand-over rule fires from the simulated phone and the
owner's inbox shows "Customer waiting for a human", with the system line in the chat.
Screenshots (pt-BR and English, 1366 and 390 px wide) go to /tmp/hours-shots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import (
    _as_service,
    _tenant_owner,
    customer_phone,
    linked_business,
)
from tests.browser.test_whatsapp_flow import sim_post

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/hours-shots")


def _shots(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(SHOTS / f"{name}-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def _hand_over_rule(email: str) -> None:
    from whatsapp_saas.automations import service
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.scope import TenantScope

    owner = _tenant_owner(email)
    with session_scope() as session:
        service.save_rule(
            TenantScope(session, owner.tenant_id),
            actor=owner,
            name="Atendente",
            trigger={"type": "keyword", "match": "contains", "keyword": "atendente"},
            conditions=[],
            actions=[{"type": "hand_to_human"}],
        )


def test_a_numbers_own_hours_and_the_hand_over_alert(page: Page, live_app: RunningApp) -> None:
    email = unique_email("hours")
    sign_up(page, live_app.url, company="Clínica", name="Helena", email=email)
    business = linked_business(page, live_app, "Recepção")
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("tab", name="Business hours").click()

    hours_for = page.get_by_label("Hours for", exact=True)
    hours_for.select_option(label="Number: Recepção")
    expect(page.get_by_test_id("uses-company-hours")).to_be_visible()
    expect(page.get_by_role("button", name="Use company hours")).to_have_count(0)
    page.locator("#hours-open-0").fill("08:00")
    page.locator("#hours-close-0").fill("12:00")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page.get_by_test_id("uses-company-hours")).to_have_count(0)
    expect(page.get_by_role("button", name="Use company hours")).to_be_visible()
    _shots(page, "hours-for-number-en")

    hours_for.select_option(label="Company")  # the company's hours are untouched
    expect(page.locator("#hours-open-0")).to_have_value("")
    hours_for.select_option(label="Number: Recepção")
    expect(page.locator("#hours-open-0")).to_have_value("08:00")

    page.locator("#sidebar-language").select_option("pt-BR")
    expect(page.get_by_label("Horário de", exact=True)).to_be_visible()
    _shots(page, "hours-for-number-pt-BR")
    page.get_by_role("button", name="Usar o horário da empresa").click()
    expect(page.get_by_text("Agora usa o horário da empresa.")).to_be_visible()
    expect(page.get_by_test_id("uses-company-hours")).to_be_visible()
    page.locator("#sidebar-language").select_option("en")

    page.get_by_role("tab", name="Rules").click()
    page.get_by_role("button", name="Dry run").click()
    page.get_by_label("Sample text").fill("oi")
    page.get_by_role("button", name="Check the rules").click()
    expect(page.get_by_test_id("dry-run-hours")).to_have_text("Business hours used: company hours")

    _as_service(live_app)
    _hand_over_rule(email)
    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_test_id("inbox-panes")).to_be_visible()
    sim_post(
        live_app,
        "/sim/messages",
        {
            "from": customer_phone(),
            "to": business,
            "text": "Quero um atendente",
            "push_name": "Rui",
        },
    )
    alert = page.get_by_test_id("handoff-alert")
    expect(alert).to_contain_text("Customer waiting for a human: Rui", timeout=20_000)
    _shots(page, "handoff-alert-en")
    alert.get_by_role("button", name="Open conversation").click()
    expect(alert).to_have_count(0)
    expect(
        page.get_by_text("Automation “Atendente” handed the conversation to a person")
    ).to_be_visible()
    page.locator("#sidebar-language").select_option("pt-BR")
    expect(
        page.get_by_text("A automação “Atendente” passou a conversa para uma pessoa")
    ).to_be_visible()
    _shots(page, "handoff-line-pt-BR")
