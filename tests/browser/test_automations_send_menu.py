"""The rule builder's "Send menu" action in a real browser: pick a menu by name, save the
rule, see the dry run name the menu, and the builder in pt-BR at a laptop's and a phone's width
(screenshots in /tmp/autopolish-shots)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import _tenant_owner

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/autopolish-shots")


def _menu(email: str, name: str) -> None:
    from whatsapp_saas.automations.menu_service import save_menu
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.scope import TenantScope

    owner = _tenant_owner(email)
    tree = {"message": "Como podemos ajudar?", "options": [{"label": "Falar com alguém",
                                                              "target": "ai"}]}  # fmt: skip
    with session_scope() as session:
        save_menu(TenantScope(session, owner.tenant_id), actor=owner, name=name, tree=tree)


def test_build_a_send_menu_rule_and_dry_run_it(page: Page, live_app: RunningApp) -> None:
    email = unique_email("sendmenu")
    sign_up(page, live_app.url, company="Sorveteria", name="Olga", email=email)
    page.get_by_role("link", name="Automations").click()
    _menu(email, "Boas-vindas")  # made after the page loaded: the builder reads menus on open
    page.get_by_role("button", name="New rule").click()
    page.get_by_label("Trigger").select_option(label="Keyword")
    page.get_by_label("Keyword", exact=True).fill("cardapio")
    page.get_by_label("Action", exact=True).select_option(label="Send menu")
    page.get_by_label("Menu to send", exact=True).select_option(label="Boas-vindas")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("rule-row").filter(has_text="cardapio")).to_be_visible()

    page.get_by_role("button", name="Dry run").click()
    page.get_by_label("Sample text").fill("Tem cardápio?")
    page.get_by_role("button", name="Check the rules").click()
    line = page.get_by_test_id("dry-run-line").filter(has_text="cardapio")
    expect(line).to_contain_text("Would fire")
    expect(line).to_contain_text("Send menu: Boas-vindas")

    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_label("Language").select_option("pt-BR")
    page.get_by_role("button", name="Voltar às regras").click()
    page.get_by_role("button", name="Editar").click()
    expect(page.get_by_label("Ação", exact=True)).to_have_value("send_menu")
    expect(page.get_by_label("Menu a enviar", exact=True)).to_contain_text("Boas-vindas")
    page.screenshot(path=str(SHOTS / "builder-send-menu-pt-BR-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "builder-send-menu-pt-BR-390.png"), full_page=True)

    # The Safety card (Business hours tab): a typed local number is stored and shown as E.164.
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("tab", name="Horário de atendimento").click()
    page.get_by_label("Números a ignorar (um por linha)").fill("(11) 98765-4321")
    page.get_by_label("Tratar como robô quem envia mais de (textos por minuto)").fill("5")
    page.get_by_role("button", name="Salvar segurança").click()
    expect(page.get_by_text("Configurações de segurança salvas.")).to_be_visible()
    expect(page.get_by_label("Números a ignorar (um por linha)")).to_have_value("+55 11 98765-4321")
    page.get_by_label("Números a ignorar (um por linha)").fill("12")
    page.get_by_role("button", name="Salvar segurança").click()
    expect(page.get_by_label("Números a ignorar (um por linha)")).to_have_value("12")  # kept
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Salvar segurança").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "safety-pt-BR-390.png"))
