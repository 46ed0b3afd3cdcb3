"""Issue 8, item 4: quick replies chosen with the keyboard; Enter never sends "/shortcut"."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.composer_helpers import (
    composer_box,
    inbox_with_customers,
    open_chat,
    received,
)
from tests.browser.conftest import RunningApp
from tests.browser.test_inbox_flow import _as_service, _tenant_owner, _wait_for

pytestmark = pytest.mark.browser

PIX = "Nossa chave PIX é loja@exemplo.com.br"
PIZZA = "Temos pizza de calabresa hoje!"


def _quick_replies(app: RunningApp, email: str) -> None:
    _as_service(app)
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.quick_replies import create_quick_reply
    from whatsapp_saas.tenancy.scope import TenantScope

    owner = _tenant_owner(email)
    with session_scope() as s:
        scope = TenantScope(s, owner.tenant_id)
        create_quick_reply(scope, shortcut="pix", text=PIX)
        create_quick_reply(scope, shortcut="pizza", text=PIZZA)


def _type_shortcut(page: Page, text: str = "/pi") -> None:
    box = composer_box(page)
    box.fill("")
    box.press_sequentially(text)
    expect(page.get_by_test_id("quick-reply-option")).to_have_count(2, timeout=15_000)


def test_quick_replies_with_the_keyboard(page: Page, live_app: RunningApp) -> None:
    inbox = inbox_with_customers(page, live_app, "Ana")
    email, phones = inbox.email, inbox.phones
    _quick_replies(live_app, email)
    open_chat(page, "Ana")
    box = composer_box(page)

    _type_shortcut(page)
    expect(page.get_by_test_id("quick-reply-option").first).to_have_attribute(
        "aria-selected", "true"
    )
    page.screenshot(path="/tmp/h1-composer-quick-replies.png")
    box.press("Enter")
    expect(box).to_have_value(PIX)
    expect(box).to_be_focused()
    expect(page.get_by_test_id("quick-reply-list")).to_have_count(0)

    _type_shortcut(page)
    box.press("ArrowDown")
    expect(page.get_by_test_id("quick-reply-option").nth(1)).to_have_attribute(
        "aria-selected", "true"
    )
    box.press("Tab")
    expect(box).to_have_value(PIZZA)
    expect(box).to_be_focused()

    _type_shortcut(page)
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Escape")
    expect(page.get_by_test_id("quick-reply-list")).to_have_count(0)
    expect(box).to_be_focused()
    expect(box).to_have_value("/pi")
    # Typing again reopens it.
    box.press("Backspace")
    box.press_sequentially("i")
    expect(page.get_by_test_id("quick-reply-option")).to_have_count(2, timeout=15_000)
    box.press("Escape")
    expect(page.get_by_test_id("quick-reply-list")).to_have_count(0)
    # The list is closed, yet Enter still does not send "/pi": it inserts the reply it names.
    box.press("Enter")
    expect(box).to_have_value(PIX)
    box.press("Enter")
    _wait_for(lambda: [m["text"] for m in received(live_app, phones["Ana"])] == [PIX])
    expect(box).to_have_value("")
