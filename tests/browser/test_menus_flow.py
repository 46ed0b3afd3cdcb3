"""Menus in a real browser: build a three-level menu in the Menus tab, greet a new contact
with it (a rule's "Send menu"), walk it from the Simulated phone page to a department, and
see the conversation in the inbox with that department and a human owner."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import (
    _as_service,
    _tenant_owner,
    _wait_for,
    customer_phone,
    linked_business,
    phone_texts,
)

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/menus-shots")


def _department(email: str, name: str) -> int:
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.models import Department

    owner = _tenant_owner(email)
    with session_scope() as session:
        department = Department(tenant_id=owner.tenant_id, name=name)
        session.add(department)
        session.flush()
        assert department.id is not None
        return department.id


def _greet_with(email: str, menu_name: str) -> None:
    from whatsapp_saas.automations import service
    from whatsapp_saas.automations.menus import AutomationMenu
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.scope import TenantScope

    owner = _tenant_owner(email)
    with session_scope() as session:
        scope = TenantScope(session, owner.tenant_id)
        menu = scope.first(AutomationMenu, AutomationMenu.name == menu_name)
        assert menu is not None
        service.save_rule(
            scope,
            actor=owner,
            name="Greeting",
            trigger={"type": "message_received", "which": "new_contact"},
            conditions=[],
            actions=[{"type": "send_menu", "menu_id": str(menu.id)}],
        )


def _option(page: Page, number: str, label: str, target: str, department: str = "") -> None:
    page.get_by_label(f"Option label {number}", exact=True).fill(label)
    page.get_by_label(f"Option target {number}", exact=True).select_option(label=target)
    if department:
        page.get_by_label(f"Option department {number}", exact=True).select_option(label=department)


def build_menu(page: Page) -> None:
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("tab", name="Menus").click()
    page.get_by_role("button", name="New menu").click()
    page.get_by_role("button", name="Save menu").click()
    expect(page.get_by_text("Menu name: type a name.")).to_be_visible()
    page.get_by_label("Menu name").fill("Main menu")
    page.get_by_label("Menu message").fill("Olá {{contact.first_name}}! Como podemos ajudar?")
    _option(page, "1", "Vendas", "Department (hand to a person)", "Technical")
    page.get_by_role("button", name="Add option").click()
    _option(page, "2", "Suporte", "Sub-menu")
    page.get_by_label("Option message 2", exact=True).fill("Suporte: escolha o assunto.")
    page.get_by_role("button", name="Add sub-option 2", exact=True).click()
    _option(page, "2.1", "Cobrança", "Department (hand to a person)", "Technical")
    page.get_by_role("button", name="Add sub-option 2", exact=True).click()
    _option(page, "2.2", "Técnico", "Sub-menu")
    page.get_by_role("button", name="Save menu").click()
    expect(page.get_by_text("Option 2.2: a sub-menu needs its message.")).to_be_visible()
    page.get_by_label("Option message 2.2", exact=True).fill("Qual serviço?")
    page.get_by_role("button", name="Add sub-option 2.2", exact=True).click()
    _option(page, "2.2.1", "Telefone", "Department (hand to a person)", "Technical")
    page.get_by_label("Option message 2.2.1", exact=True).fill("Técnico de telefonia.")
    expect(page.get_by_test_id("menu-preview")).to_contain_text("*2.* Suporte")
    page.get_by_role("button", name="Save menu").click()
    expect(page.get_by_test_id("menu-row").filter(has_text="Main menu")).to_be_visible()


def _send_from_phone(page: Page, customer: str, business: str, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Send as customer").click()
    expect(page.get_by_role("status").filter(has_text="Delivered")).to_be_visible()


def test_walk_a_three_level_menu_to_a_department(page: Page, live_app: RunningApp) -> None:
    email = unique_email("menus")
    sign_up(page, live_app.url, company="Provedor", name="Paula", email=email)
    business = linked_business(page, live_app, "Atendimento")
    _as_service(live_app)
    _department(email, "Technical")
    build_menu(page)
    _greet_with(email, "Main menu")

    customer = customer_phone()
    page.get_by_role("link", name="Simulated phone").click()
    page.get_by_label("Customer phone").fill(customer)
    page.get_by_label("Customer name").fill("Maria Souza")
    page.get_by_label("To (business number)").fill(business)
    steps = [
        ("oi", "*2.* Suporte"),
        ("2️⃣", "*2.* Técnico"),
        ("tecnico", "*1.* Telefone"),
        ("1", "Técnico de telefonia."),
    ]
    for text, expected in steps:
        _send_from_phone(page, customer, business, text)
        _wait_for(
            lambda expected=expected: any(expected in t for t in phone_texts(live_app, customer))
        )
    texts = phone_texts(live_app, customer)
    assert sum("Como podemos ajudar?" in t for t in texts) == 1
    assert texts.count("Técnico de telefonia.") == 1

    page.get_by_role("link", name="Inbox").click()
    item = page.get_by_test_id("conversation-item").filter(has_text="Maria")
    expect(item).to_contain_text("Technical")
    item.click()
    expect(page.get_by_test_id("conversation-owner")).to_contain_text("Human")
    bubble = page.get_by_test_id("outgoing-bubble").filter(has_text="Técnico de telefonia.")
    expect(bubble).to_contain_text("Automation")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "inbox-owner-en-1366.png"))
    page.get_by_label("Conversation owner").select_option("flow")
    expect(page.get_by_test_id("conversation-owner")).to_contain_text("None")


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_screenshots_of_the_menus_tab(browser: Browser, live_app: RunningApp, lang: str) -> None:
    """Saved to /tmp/menus-shots for a person to look at (1366x768 and 390 px wide)."""
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    email = unique_email("menushots")
    sign_up(page, live_app.url, company="Vitrine", name="Vera", email=email)
    _as_service(live_app)
    _department(email, "Technical")
    build_menu(page)
    page.get_by_label("Language").first.select_option(lang)
    heading = "Automações" if lang == "pt-BR" else "Automations"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()  # the switch landed
    tab = "Menus"
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_app.url}/automations")
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_test_id("menu-row").first).to_be_visible()
        page.screenshot(path=str(SHOTS / f"menus-list-{lang}-{width}.png"), full_page=True)
        page.get_by_test_id("menu-row").first.get_by_role("button").first.click()
        expect(page.get_by_test_id("menu-option").first).to_be_visible()
        page.screenshot(path=str(SHOTS / f"menus-editor-{lang}-{width}.png"), full_page=True)
