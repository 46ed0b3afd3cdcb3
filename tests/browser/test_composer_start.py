"""Issue 8: start a new conversation from the inbox (phone validated, number to send from), and
the follow-up panel that clears live when the customer replies."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.composer_helpers import inbox_with_customers, open_chat, received
from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import _wait_for, customer_phone, linked_business
from tests.browser.test_whatsapp_flow import sim_post

pytestmark = pytest.mark.browser


def test_start_a_conversation_with_a_typed_phone(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Loja", name="Olivia", email=unique_email("owner"))
    linked_business(page, live_app, "Vendas")
    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("button", name="New conversation").click()
    dialog = page.get_by_test_id("new-conversation")
    dialog.get_by_label("Customer's phone").fill("12345")
    dialog.get_by_label("Name (optional)").fill("Carla")
    dialog.get_by_label("First message").fill("Olá Carla, seu pedido chegou!")
    expect(dialog.get_by_label("Send from")).to_contain_text("Vendas")
    dialog.get_by_role("button", name="Start conversation").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Not a valid phone number")
    # The error sits next to the field; everything typed is still there.
    expect(dialog.get_by_label("Name (optional)")).to_have_value("Carla")
    expect(dialog.get_by_label("First message")).to_have_value("Olá Carla, seu pedido chegou!")
    page.screenshot(path="/tmp/h1-composer-new-conversation.png")

    customer = customer_phone()  # +55 21 9xxxx-xxxx, typed the way people write it
    local = f"({customer[3:5]}) {customer[5:10]}-{customer[10:]}"
    dialog.get_by_label("Customer's phone").fill(local)
    dialog.get_by_role("button", name="Start conversation").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("chat-title")).to_have_text("Carla")
    expect(page.get_by_test_id("outgoing-bubble")).to_contain_text("seu pedido chegou")
    _wait_for(
        lambda: (
            [m["text"] for m in received(live_app, customer)] == ["Olá Carla, seu pedido chegou!"]
        )
    )


def test_the_follow_up_panel_clears_live_when_the_customer_replies(
    page: Page, live_app: RunningApp
) -> None:
    inbox = inbox_with_customers(page, live_app, "Bia")
    open_chat(page, "Bia")
    page.get_by_label("After (hours)").fill("2")
    page.get_by_label("Follow-up message").fill("Conseguiu ver o orçamento?")
    page.get_by_role("button", name="Start follow-up").click()
    expect(page.get_by_test_id("pending-followup")).to_contain_text("Conseguiu ver")

    reply = {"from": inbox.phones["Bia"], "to": inbox.business, "text": "Vi sim, obrigada"}
    sim_post(live_app, "/sim/messages", reply)
    expect(page.get_by_test_id("incoming-bubble").filter(has_text="Vi sim")).to_be_visible()
    # No click: the panel follows the reply by itself.
    expect(page.get_by_test_id("pending-followup")).to_have_count(0)
