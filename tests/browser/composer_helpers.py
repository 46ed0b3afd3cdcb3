"""Shared steps for the composer's browser tests: a linked number, customers who wrote in."""

from __future__ import annotations

from typing import NamedTuple

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_inbox_flow import customer_phone, linked_business, sim_get
from tests.browser.test_whatsapp_flow import sim_post


class Inbox(NamedTuple):
    email: str  # the owner's
    business: str  # the linked number's phone
    phones: dict[str, str]  # customer name -> phone


def inbox_with_customers(page: Page, app: RunningApp, *names: str) -> Inbox:
    """Sign up, link a number, and have each customer write to it."""
    email = unique_email("owner")
    sign_up(page, app.url, company="Loja", name="Olivia", email=email)
    business = linked_business(page, app, "Vendas")
    phones = {}
    for name in names:
        phones[name] = customer_phone()
        sim_post(
            app,
            "/sim/messages",
            {"from": phones[name], "to": business, "text": f"Oi, aqui é {name}", "push_name": name},
        )
    page.get_by_role("link", name="Inbox").click()
    for name in names:
        expect(conversation(page, name)).to_be_visible(timeout=15_000)
    return Inbox(email, business, phones)


def conversation(page: Page, name: str) -> Locator:
    return page.get_by_test_id("conversation-item").filter(has_text=name)


def open_chat(page: Page, name: str) -> None:
    conversation(page, name).click()
    expect(page.get_by_test_id("chat-title")).to_have_text(name)


def composer_box(page: Page) -> Locator:
    return page.locator("textarea#composer")


def received(app: RunningApp, phone: str) -> list[dict]:
    return list(sim_get(app, f"/sim/phones/{phone}/messages")["messages"])
