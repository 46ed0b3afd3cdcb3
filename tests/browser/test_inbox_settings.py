"""Settings for the inbox, in a real browser: quick replies and departments; and the browser
helpers the Inbox page relies on (voice notes, background notifications)."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserType, Page, expect
from sqlmodel import Session

from tests.browser.conftest import CHROMIUM_ARGS, RunningApp
from tests.browser.helpers import PASSWORD, sign_up, unique_email
from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.contacts import service as contacts
from whatsapp_saas.db import build_engine
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp import service as numbers

pytestmark = pytest.mark.browser


def test_manage_quick_replies_and_departments(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Acme", name="Olivia Owner", email=unique_email("owner"))
    page.get_by_role("link", name="Settings").click()

    page.get_by_role("link", name="Quick replies").click()
    expect(page.get_by_role("heading", name="Quick replies")).to_be_visible()
    page.get_by_label("Shortcut").fill("/Hello")
    page.get_by_label("Text").fill("Olá! Em que posso ajudar?")
    page.get_by_role("button", name="Add quick reply").click()
    row = page.get_by_test_id("quick-reply-row").filter(has_text="/hello")
    expect(row).to_contain_text("Olá! Em que posso ajudar?")

    row.get_by_role("button", name="Edit").click()
    expect(page.get_by_label("Shortcut")).to_have_value("hello")
    page.get_by_label("Text").fill("Oi! Como posso ajudar?")
    page.get_by_role("button", name="Save").click()
    expect(row).to_contain_text("Oi! Como posso ajudar?")

    page.get_by_label("Shortcut").fill("HELLO")
    page.get_by_label("Text").fill("duplicate")
    page.get_by_role("button", name="Add quick reply").click()
    expect(page.get_by_role("alert")).to_contain_text("The shortcut /hello is already in use.")

    page.get_by_role("link", name="← Settings").click()
    page.get_by_role("link", name="Departments").click()
    expect(page.get_by_role("heading", name="Departments")).to_be_visible()
    page.get_by_label("Department name").fill("Sales")
    page.get_by_role("button", name="Create department").click()
    card = page.get_by_test_id("department-card").filter(has_text="Sales")
    expect(card.get_by_role("heading", name="Sales")).to_be_visible()

    card.get_by_label("Add member").select_option(label="Olivia Owner")
    card.get_by_role("button", name="Add", exact=True).click()
    expect(card.get_by_test_id("department-member")).to_have_text("Olivia Owner")
    card.get_by_role("button", name="Remove Olivia Owner from Sales").click()
    expect(card).to_contain_text("No members yet.")

    card.get_by_label("Department name").fill("Sales team")
    card.get_by_role("button", name="Rename").click()
    expect(card.get_by_role("heading", name="Sales team")).to_be_visible()


# --- the browser helpers the Inbox page calls: assets/voice.js and assets/notify.js ---------

FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def _conversation_for(database_url: str, email: str) -> int:
    """A conversation of the signed-up tenant, made through the services on the app's database."""
    engine = build_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            me = accounts.sign_in(session, email=email, password=PASSWORD).user
            scope = TenantScope(session, me.tenant_id)
            number = numbers.add_number(scope, name="Main")
            contact = contacts.create_contact(scope, phone="+5511988887777", name="Maria")
            assert number.id is not None and contact.id is not None
            conversation = inbox.open_conversation(
                scope, actor=me, number_id=number.id, contact_id=contact.id
            )
            session.commit()
            assert conversation.id is not None
            return conversation.id
    finally:
        engine.dispose()


def _voice_message(database_url: str, message_id: int) -> Message:
    engine = build_engine(database_url)
    try:
        with Session(engine) as session:
            message = session.get(Message, message_id)
            assert message is not None
            return message
    finally:
        engine.dispose()


def test_voice_note_and_background_notifications(
    browser_type: BrowserType, live_app: RunningApp
) -> None:
    browser = browser_type.launch(
        executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS + FAKE_MICROPHONE
    )
    try:
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        email = unique_email("owner")
        sign_up(page, live_app.url, company="Acme", name="Olivia Owner", email=email)
        conversation_id = _conversation_for(live_app.database_url, email)

        page.evaluate(
            """() => {
            window.voiceStates = [];
            document.addEventListener("wa-voice-state", (e) => voiceStates.push(e.detail.recording))
            }"""
        )
        assert page.evaluate("waVoice.supported()") is True
        # voice.js (and ui/media_urls.py) find the backend through Reflex's runtime.
        origin = page.evaluate("window.__reflex['$/utils/state'].getBackendURL().origin")
        assert origin == live_app.url
        assert page.evaluate(f"waVoice.start({conversation_id})") is True
        assert page.evaluate("waVoice.recording") is True
        page.wait_for_timeout(1200)
        sent = page.evaluate("waVoice.stop()")
        assert sent["ok"] is True, sent
        assert page.evaluate("[waVoice.recording, voiceStates]") == [False, [True, False]]
        message = _voice_message(live_app.database_url, sent["message_id"])
        # Queued, and maybe already picked up by the sender (the number is not connected).
        assert message.type == "voice" and message.status in ("queued", "sending", "failed")
        # Chromium records WebM; the server converts it to what WhatsApp plays as a voice note.
        assert message.media_mimetype == "audio/ogg; codecs=opus" and message.media_seconds
        played = page.request.get(f"{live_app.url}/media/{sent['message_id']}")
        assert played.status == 200 and played.headers["content-type"].startswith("audio/ogg")
        assert len(played.body()) == message.media_size

        _check_notifications(page)
    finally:
        browser.close()


def _check_notifications(page: Page) -> None:
    # A hidden tab and a spy in place of the Notification API (headless shows none anyway).
    page.evaluate(
        """() => {
        window.shown = [];
        window.Notification = function (title, options) { shown.push([title, options.body]); };
        window.Notification.permission = "granted";
        window.setHidden = (hidden) => {
            Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
            document.dispatchEvent(new Event("visibilitychange"));
        };
        window.originalTitle = document.title;
        }"""
    )
    assert page.evaluate("waNotifyEnabled()") is True
    page.evaluate("setHidden(true)")
    page.evaluate("waNotify({unread: 3, title: 'New message from Maria', body: 'Oi'})")
    original = page.evaluate("originalTitle")
    assert page.evaluate("document.title") == f"(3) {original}"
    assert page.evaluate("shown") == [["New message from Maria", "Oi"]]
    page.evaluate("setHidden(false)")
    assert page.evaluate("document.title") == original

    assert page.evaluate("waNotifyEnable(false)") is False
    assert page.evaluate("[waNotifyEnabled(), localStorage.getItem('wa_notify')]") == [False, "off"]
    page.evaluate("setHidden(true)")
    page.evaluate("waNotify({unread: 4, title: 'x', body: 'y'})")
    assert page.evaluate("[document.title, shown.length]") == [original, 1]
    page.evaluate("waNotifyEnable(true)")
    assert page.evaluate("localStorage.getItem('wa_notify')") == "on"
