"""The inbox as attendants expect it, in a real browser: the chat follows new messages (or
shows a "new messages" pill), loads older ones without jumping, fits a laptop and a phone,
renders WhatsApp formatting safely, and tells who did what. Screenshots go to /tmp/h2-shots."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import _wait_for, customer_phone, linked_business, phone_texts
from tests.browser.test_whatsapp_flow import sim_post
from whatsapp_saas.i18n import translate

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/h2-shots")
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _say(app: RunningApp, customer: str, business: str, text: str, name: str = "Maria") -> None:
    sim_post(
        app, "/sim/messages", {"from": customer, "to": business, "text": text, "push_name": name}
    )


def _language(page: Page, code: str) -> None:
    select = page.locator("#sidebar-language")
    select.select_option(code)
    # The server's answer relabels the select: wait for it, so a second switch cannot be
    # overwritten by the late echo of the first.
    expect(page.locator("label[for='sidebar-language']")).to_have_text(
        translate(code, "nav.language")
    )
    expect(select).to_have_value(code)
    expect(select).to_be_visible()


def _owner_with_customer(page: Page, app: RunningApp) -> tuple[str, str]:
    page.set_viewport_size(LAPTOP)
    sign_up(page, app.url, company="Padaria", name="Olivia Souza", email=unique_email("owner"))
    business = linked_business(page, app, "Vendas")
    return business, customer_phone()


def _in_view(locator: Locator) -> None:
    expect(locator).to_be_in_viewport(timeout=10_000)


def _scroll(page: Page, script: str) -> None:
    page.locator("#chat-scroll").evaluate(script)


def test_chat_follows_new_messages_and_loads_older_without_jumping(
    page: Page, live_app: RunningApp
) -> None:
    business, customer = _owner_with_customer(page, live_app)
    for n in range(1, 71):
        _say(live_app, customer, business, f"mensagem {n}")
    page.get_by_role("link", name="Inbox").click()
    item = page.get_by_test_id("conversation-item").filter(has_text="Maria")
    expect(item).to_contain_text("mensagem 70", timeout=20_000)
    item.click()
    bubbles = page.get_by_test_id("incoming-bubble")
    _in_view(bubbles.filter(has_text=re.compile(r"^mensagem 70")))  # opens at the newest

    _say(live_app, customer, business, "mensagem 71")
    _in_view(bubbles.filter(has_text="mensagem 71"))  # follows while at the bottom
    pill = page.get_by_test_id("new-messages-pill")
    expect(pill).to_be_hidden()

    _scroll(page, "el => { el.scrollTop = el.scrollHeight / 2; }")
    page.wait_for_timeout(300)  # let the scroll event land before the next message
    _say(live_app, customer, business, "mensagem 72")
    expect(bubbles.filter(has_text="mensagem 72")).to_have_count(1, timeout=10_000)
    expect(pill).to_be_visible()
    expect(pill).to_have_text("New messages ↓")
    expect(bubbles.filter(has_text="mensagem 72")).not_to_be_in_viewport()
    _shot(page, "scroll-pill-en-1366")
    pill.click()
    _in_view(bubbles.filter(has_text="mensagem 72"))
    expect(pill).to_be_hidden()

    # Scrolling to the top loads the previous page; the message read stays in view.
    count = bubbles.count()
    reading = page.locator(f'[data-mid="{bubbles.first.get_attribute("data-mid")}"]')
    _scroll(page, "el => { el.scrollTop = 0; }")
    expect(bubbles).to_have_count(72, timeout=10_000)
    assert count < 72
    _in_view(reading)
    top = page.locator("#chat-scroll").evaluate("el => el.scrollTop")
    assert top > 0, "the view jumped to the oldest message"

    _language(page, "pt-BR")
    _scroll(page, "el => { el.scrollTop = el.scrollHeight / 2; }")
    page.wait_for_timeout(300)
    _say(live_app, customer, business, "mensagem 73")
    expect(bubbles.filter(has_text="mensagem 73")).to_have_count(1, timeout=10_000)
    expect(bubbles).to_have_count(73)  # the live update kept the older page scrolled to
    expect(pill).to_be_visible()
    expect(pill).to_have_text("Novas mensagens ↓")
    _shot(page, "scroll-pill-ptbr-1366")


def test_laptop_layout_keeps_the_composer_on_screen_with_an_error(
    page: Page, live_app: RunningApp
) -> None:
    business, customer = _owner_with_customer(page, live_app)
    _say(live_app, customer, business, "Oi, tem pão?")
    page.get_by_role("link", name="Inbox").click()
    page.get_by_test_id("conversation-item").filter(has_text="Maria").click()
    for language, send, note in (
        ("en", "Send", "Internal note"),
        ("pt-BR", "Enviar", "Nota interna"),
    ):
        _language(page, language)
        box = page.locator("#composer")
        box.fill("x" * 4200)  # longer than WhatsApp allows: a translated error banner
        page.get_by_role("button", name=send, exact=True).click()
        expect(page.get_by_role("alert").first).to_be_visible()
        for control in (
            page.get_by_role("button", name=send, exact=True),
            page.get_by_label(note, exact=True),
            page.locator("#inbox-upload"),
        ):
            _in_view(control)
            bottom = control.bounding_box()
            assert bottom is not None and bottom["y"] + bottom["height"] <= LAPTOP["height"]
        assert page.evaluate("document.scrollingElement.scrollHeight") <= LAPTOP["height"]
        _shot(page, f"layout-error-{language}-1366")


def test_phone_layout_is_one_column_with_back_buttons_and_installable(
    page: Page, live_app: RunningApp
) -> None:
    business, customer = _owner_with_customer(page, live_app)
    _say(live_app, customer, business, "Bom dia")
    page.get_by_role("link", name="Inbox").click()
    for language in ("en", "pt-BR"):
        page.set_viewport_size(LAPTOP)
        _language(page, language)
        expect(page.locator("#app-sidebar")).to_be_visible()
        select_right, sidebar_right = page.evaluate(
            "[document.querySelector('#sidebar-language'), document.querySelector('#app-sidebar')]"
            ".map(el => el.getBoundingClientRect().right)"
        )
        assert select_right <= sidebar_right, f"language select overflows in {language}"
    page.set_viewport_size(PHONE)
    page.reload()
    lang = "pt-BR"
    panes = page.get_by_test_id("inbox-panes")
    item = page.get_by_test_id("conversation-item").filter(has_text="Maria")
    expect(item).to_be_visible()
    expect(page.locator("#app-sidebar")).to_be_hidden()
    _shot(page, f"phone-list-{lang}-390")
    item.click()
    expect(panes).to_have_attribute("data-pane", "chat")
    expect(item).to_be_hidden()
    expect(page.get_by_role("button", name="Enviar", exact=True)).to_be_in_viewport()
    _shot(page, f"phone-chat-{lang}-390")
    page.get_by_role("button", name="Dados do contato").click()
    expect(page.get_by_test_id("contact-panel")).to_be_visible()
    _shot(page, f"phone-contact-{lang}-390")
    page.get_by_role("button", name="Voltar à conversa").click()
    page.get_by_role("button", name="Voltar às conversas").click()
    expect(item).to_be_visible()
    page.get_by_role("button", name="Menu").click()
    expect(page.locator("#app-sidebar")).to_be_visible()
    _shot(page, f"phone-menu-{lang}-390")
    _language(page, "en")
    page.locator(".nav-backdrop").click(position={"x": 370, "y": 400})
    expect(page.locator("#app-sidebar")).to_be_hidden()
    item.click()
    expect(panes).to_have_attribute("data-pane", "chat")
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_in_viewport()
    _shot(page, "phone-chat-en-390")

    for path in ("/inbox", "/login"):
        page.goto(live_app.url + path)
        expect(page.locator('link[rel="manifest"]')).to_have_attribute(
            "href", "/manifest.webmanifest"
        )
    with urllib.request.urlopen(live_app.url + "/manifest.webmanifest", timeout=10) as response:
        manifest = json.loads(response.read())
    assert manifest["start_url"] == "/inbox" and manifest["theme_color"]
    for icon in manifest["icons"]:
        with urllib.request.urlopen(live_app.url + icon["src"], timeout=10) as response:
            assert response.read(8) == b"\x89PNG\r\n\x1a\n"


def test_rows_formatting_senders_system_lines_ticks_and_search(
    browser: Browser, live_app: RunningApp
) -> None:
    page = browser.new_page(locale="en-US")
    page.on("dialog", lambda d: pytest.fail(f"customer text ran as code: {d.message}"))
    business, customer = _owner_with_customer(page, live_app)
    _say(
        live_app,
        customer,
        business,
        "*negrito* _itálico_ ~riscado~ ```mono``` https://example.com/p?x=1 "
        '<img src=x onerror="alert(1)"><script>alert(2)</script>',
        name="Dona Maria",
    )
    _say(live_app, customer_phone(), business, "Moro no Méier, tem pão?", name="Zé")

    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Signature on my replies").fill("Olivia - Vendas")
    page.get_by_role("button", name="Save").nth(1).click()
    expect(page.get_by_text("Saved", exact=False).first).to_be_visible()

    page.get_by_role("link", name="Inbox").click()
    row = page.get_by_test_id("conversation-item").filter(has_text="Dona Maria")
    expect(row.get_by_test_id("unread-badge")).to_have_text("1")
    expect(row.get_by_test_id("conversation-status")).to_have_attribute("data-status", "open")
    expect(row.get_by_test_id("conversation-tag")).to_have_text("Vendas")
    row.click()
    text = page.get_by_test_id("message-text").first
    expect(text.locator("span", has_text="negrito")).to_have_css("font-weight", "700")
    expect(text.locator("span", has_text="itálico")).to_have_css("font-style", "italic")
    expect(text.locator("span", has_text="riscado")).to_have_css(
        "text-decoration-line", "line-through"
    )
    expect(text.locator("a")).to_have_attribute("href", "https://example.com/p?x=1")
    expect(text).to_contain_text('<img src=x onerror="alert(1)"><script>alert(2)</script>')
    assert page.locator("#chat-scroll script, #chat-scroll img[src=x]").count() == 0

    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_test_id("system-line").first).to_contain_text(
        "Olivia Souza took the conversation"
    )
    expect(row.get_by_test_id("assignee-avatar")).to_have_text("OS")
    page.locator("#composer").fill("Temos sim")
    page.get_by_role("button", name="Send", exact=True).click()
    mine = page.get_by_test_id("outgoing-bubble").filter(has_text="Temos sim")
    expect(mine.get_by_test_id("message-sender")).to_have_text("Olivia Souza")
    expect(mine.locator("span", has_text="Olivia - Vendas")).to_have_css("font-weight", "700")
    _wait_for(lambda: "*Olivia - Vendas*:\nTemos sim" in phone_texts(live_app, customer))
    expect(mine.get_by_test_id("message-tick")).to_have_attribute(
        "title", re.compile("^(Sent|Delivered|Read)$"), timeout=20_000
    )
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("system-line").last).to_contain_text(
        "Olivia Souza resolved the conversation"
    )
    _shot(page, "chat-formatting-en-1366")

    _language(page, "pt-BR")
    expect(page.get_by_test_id("system-line").first).to_contain_text(
        "Olivia Souza assumiu a conversa"
    )
    expect(mine.get_by_test_id("message-tick")).to_have_attribute(
        "title", re.compile("^(Enviada|Entregue|Lida)$")
    )
    search = page.get_by_placeholder("Buscar mensagens")
    rows = page.get_by_test_id("conversation-item")
    for words in ("pao", "MEIER"):
        search.fill(words)
        search.press("Enter")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Zé")
    _shot(page, "rows-search-ptbr-1366")
    page.set_viewport_size(PHONE)
    _shot(page, "rows-search-ptbr-390")
