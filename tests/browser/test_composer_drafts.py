"""Issue 8, item 1: a draft belongs to its conversation; it never goes to the next customer."""

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
from tests.browser.test_inbox_flow import _wait_for

pytestmark = pytest.mark.browser

ZE_TEXT = "Seu pedido de R$ 350 está confirmado, Zé"


def test_draft_stays_with_its_conversation_and_survives_a_reload(
    page: Page, live_app: RunningApp
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phones = inbox_with_customers(page, live_app, "Zé", "Dona Maria").phones
    open_chat(page, "Zé")
    composer_box(page).fill(ZE_TEXT)

    open_chat(page, "Dona Maria")
    expect(composer_box(page)).to_have_value("")
    composer_box(page).press("Enter")
    # Something Dona Maria should get, sent after the Enter: once it arrives, anything the
    # Enter had sent would have arrived before it.
    composer_box(page).fill("Bom dia, Dona Maria!")
    composer_box(page).press("Enter")
    _wait_for(
        lambda: any(
            m["text"] == "Bom dia, Dona Maria!" for m in received(live_app, phones["Dona Maria"])
        )
    )
    assert [m["text"] for m in received(live_app, phones["Dona Maria"])] == ["Bom dia, Dona Maria!"]
    assert received(live_app, phones["Zé"]) == []
    expect(composer_box(page)).to_have_value("")

    open_chat(page, "Zé")
    expect(composer_box(page)).to_have_value(ZE_TEXT)

    page.reload()
    open_chat(page, "Zé")
    expect(composer_box(page)).to_have_value(ZE_TEXT)
    page.screenshot(path="/tmp/h1-composer-draft.png")
    open_chat(page, "Dona Maria")
    expect(composer_box(page)).to_have_value("")

    # A new tab starts a fresh page state: the draft comes from this browser's storage.
    other = page.context.new_page()
    other.goto(page.url)
    open_chat(other, "Zé")
    expect(composer_box(other)).to_have_value(ZE_TEXT)
    # The composer adds no console errors (unknown props, hydration); missing files aside.
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
