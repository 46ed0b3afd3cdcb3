"""Files to send in a real browser: upload a file on the Automations page, attach it to a rule's
"Send message" action, save, reopen the rule with the file still picked, then attach it to a
menu and a menu option. Screenshots of the builder and the menu editor at a laptop's and a
phone's width in English and Portuguese go to /tmp/autofiles-shots."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/autofiles-shots")
# A long name without spaces: the select and the upload status must not overflow a phone.
PDF = "Catalogo_de_produtos_e_tabela_de_precos_completa_2025.pdf"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SIZES = ((1366, 768), (390, 844))
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _upload(page: Page, upload_id: str) -> None:
    payload = FilePayload(name=PDF, mimeType="application/pdf", buffer=PDF_BYTES)
    page.locator(f"#{upload_id} input[type=file]").set_input_files(files=[payload])


def _shots(page: Page, name: str, language: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.evaluate(_TWO_FRAMES)  # let the resized layout paint before the capture
        page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def _attach_in_a_rule(page: Page) -> None:
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("button", name="New rule").click()
    page.get_by_label("Trigger").select_option(label="Keyword")
    page.get_by_label("Keyword", exact=True).fill("catalogo")
    page.get_by_label("Action", exact=True).first.select_option(label="Send message")
    page.get_by_label("Message", exact=True).fill("Segue o catálogo!")
    expect(page.get_by_test_id("files-empty")).to_be_visible()
    _shots(page, "builder-no-files", "en")
    _upload(page, "rule-files-upload")
    expect(page.get_by_role("status").filter(has_text="is ready to attach")).to_contain_text(PDF)
    expect(page.get_by_test_id("file-item")).to_have_count(1)
    page.locator("#sidebar-language").select_option("pt-BR")  # the status follows the language
    expect(page.get_by_role("status").filter(has_text="está pronto para anexar")).to_be_visible()
    _shots(page, "builder-uploaded", "pt-BR")
    page.locator("#sidebar-language").select_option("en")
    page.get_by_label("Attachment", exact=True).select_option(label=f"📄 {PDF}")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("rule-row").filter(has_text="catalogo")).to_be_visible()


def test_upload_attach_to_a_send_message_and_a_menu(page: Page, live_app: RunningApp) -> None:
    SHOTS.mkdir(exist_ok=True)
    sign_up(page, live_app.url, company="Papelaria Anexo", name="Pietra", email=unique_email("af"))
    page.set_viewport_size({"width": 1366, "height": 768})
    _attach_in_a_rule(page)
    row = page.get_by_test_id("rule-row").filter(has_text="catalogo")
    row.get_by_role("button", name="Edit").click()
    expect(page.locator("#auto-media-0 option:checked")).to_have_text(f"📄 {PDF}")
    _shots(page, "builder-attachment", "en")
    page.locator("#sidebar-language").select_option("pt-BR")
    expect(page.get_by_label("Anexo", exact=True)).to_be_visible()
    expect(page.locator("#auto-media-0 option:checked")).to_have_text(f"📄 {PDF}")
    _shots(page, "builder-attachment", "pt-BR")

    page.get_by_role("button", name="Cancelar", exact=True).click()
    page.get_by_role("tab", name="Menus").click()
    page.get_by_role("button", name="Novo menu").click()
    page.get_by_label("Nome do menu").fill("Catálogo")
    page.get_by_label("Mensagem do menu").fill("Escolha uma opção.")
    page.get_by_label("Anexo", exact=True).select_option(label=f"📄 {PDF}")
    page.get_by_label("Rótulo da opção 1", exact=True).fill("Ver catálogo")
    page.get_by_label("Destino da opção 1", exact=True).select_option(label="Assistente de IA")
    page.get_by_label("Anexo 1", exact=True).select_option(label=f"📄 {PDF}")
    _shots(page, "menu-attachment", "pt-BR")
    page.locator("#sidebar-language").select_option("en")
    expect(page.get_by_label("Attachment 1", exact=True)).to_be_visible()
    _shots(page, "menu-attachment", "en")
    page.get_by_role("button", name="Save menu").click()
    expect(page.get_by_test_id("menu-row").filter(has_text="Catálogo")).to_be_visible()
