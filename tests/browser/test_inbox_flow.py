"""The shared inbox in real browsers: a customer writes, two attendants see it live, one
replies with text and a photo, and the customer's phone receives both; notes never leave."""

from __future__ import annotations

import base64
import json
import re
import secrets
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_in, sign_up, unique_email
from tests.browser.test_whatsapp_flow import add_number, scan_qr, sim_post

pytestmark = pytest.mark.browser

# A 1x1 PNG, enough for WhatsApp-style image handling end to end.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def sim_get(app: RunningApp, path: str) -> dict:
    with urllib.request.urlopen(app.simulator_url + path, timeout=10) as response:
        return json.loads(response.read())


def linked_business(page: Page, app: RunningApp, name: str) -> str:
    phone = "+55119" + "".join(str(secrets.randbelow(10)) for _ in range(8))
    add_number(page, name)
    page.get_by_test_id("number-row").filter(has_text=name).get_by_role(
        "button", name="Connect"
    ).click()
    sim_post(app, "/sim/link", {"qr": scan_qr(page), "phone": phone})
    expect(page.get_by_test_id("connected-as")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Close").click()
    return phone


def customer_phone() -> str:
    return "+55219" + "".join(str(secrets.randbelow(10)) for _ in range(8))


def phone_texts(app: RunningApp, phone: str) -> list[str]:
    return [m.get("text") or "" for m in sim_get(app, f"/sim/phones/{phone}/messages")["messages"]]


def test_two_attendants_see_inbound_live_and_reply_reaches_the_phone(
    browser: Browser, live_app: RunningApp, tmp_path: Path
) -> None:
    email = unique_email("owner")
    owner = browser.new_page(locale="en-US")
    sign_up(owner, live_app.url, company="Loja", name="Olivia", email=email)
    business = linked_business(owner, live_app, "Vendas")
    owner.get_by_role("link", name="Inbox").click()
    colleague = browser.new_page(locale="en-US")
    sign_in(colleague, live_app.url, email)
    colleague.get_by_role("link", name="Inbox").click()
    expect(colleague.get_by_role("heading", name="Inbox")).to_be_visible()

    customer = customer_phone()
    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Oi, tem pão?", "push_name": "Maria"},
    )
    for page in (owner, colleague):
        item = page.get_by_test_id("conversation-item").filter(has_text="Maria")
        expect(item).to_contain_text("Oi, tem pão?", timeout=10_000)

    owner.get_by_test_id("conversation-item").filter(has_text="Maria").click()
    expect(owner.get_by_test_id("incoming-bubble")).to_contain_text("Oi, tem pão?")
    owner.get_by_placeholder("Type a message").fill("Temos sim! 🍞")
    owner.get_by_role("button", name="Send").click()
    expect(owner.get_by_test_id("outgoing-bubble").filter(has_text="Temos sim")).to_be_visible()
    _wait_for(lambda: "Temos sim! 🍞" in phone_texts(live_app, customer))
    expect(owner.get_by_test_id("message-tick").last).to_have_text("✓", timeout=20_000)

    image = tmp_path / "pao.png"
    image.write_bytes(PNG)
    owner.locator("#inbox-upload input[type=file]").set_input_files(str(image))
    owner.get_by_test_id("attach-preview").get_by_role("button", name="Send").click()
    _wait_for(
        lambda: any(
            m.get("media")
            for m in sim_get(live_app, f"/sim/phones/{customer}/messages")["messages"]
        )
    )
    kinds = [
        m["media"]["kind"]
        for m in sim_get(live_app, f"/sim/phones/{customer}/messages")["messages"]
        if m.get("media")
    ]
    assert kinds == ["image"]

    colleague.get_by_test_id("conversation-item").filter(has_text="Maria").click()
    expect(colleague.get_by_test_id("outgoing-bubble").filter(has_text="Temos sim")).to_be_visible()
    sim_post(live_app, "/sim/typing", {"from": customer, "to": business, "typing": True})
    expect(colleague.get_by_test_id("typing")).to_be_visible(timeout=10_000)


def test_internal_note_never_reaches_the_phone(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Loja", name="Olivia", email=unique_email("owner"))
    business = linked_business(page, live_app, "Suporte")
    customer = customer_phone()
    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Preciso de ajuda", "push_name": "João"},
    )
    page.get_by_role("link", name="Inbox").click()
    page.get_by_test_id("conversation-item").filter(has_text="João").click()
    page.get_by_label("Internal note").click()
    page.get_by_placeholder(re.compile("internal note")).fill("Cliente VIP, cuidado")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_test_id("note-bubble")).to_contain_text("Cliente VIP")
    page.get_by_label("Internal note").click()
    page.get_by_placeholder("Type a message").fill("Olá João")
    page.get_by_role("button", name="Send").click()
    _wait_for(lambda: "Olá João" in phone_texts(live_app, customer))
    assert "Cliente VIP, cuidado" not in phone_texts(live_app, customer)


def _wait_for(check, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _as_service(app: RunningApp):  # type: ignore[no-untyped-def]
    """Point this test process's services at the running app's database."""
    from tests.conftest import point_app_at

    point_app_at(app.database_url)
    from whatsapp_saas.bootstrap import load_models

    load_models()


def _tenant_owner(email: str):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from whatsapp_saas.accounts.models import User
    from whatsapp_saas.accounts.service import CurrentUser
    from whatsapp_saas.db import session_scope

    with session_scope() as s:
        user = s.exec(select(User).where(User.email == email)).one()
        assert user.id is not None
        return CurrentUser(
            user.id, user.tenant_id, "", user.name, user.email, user.role, "en", "UTC"
        )


def test_quick_reply_assign_and_transfer(page: Page, live_app: RunningApp) -> None:
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Loja", name="Olivia", email=email)
    business = linked_business(page, live_app, "Vendas")
    _as_service(live_app)
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.departments import create_department
    from whatsapp_saas.inbox.quick_replies import create_quick_reply
    from whatsapp_saas.tenancy.scope import TenantScope

    owner = _tenant_owner(email)
    with session_scope() as s:
        scope = TenantScope(s, owner.tenant_id)
        create_quick_reply(scope, shortcut="horario", text="Abrimos das 8h às 18h.")
        create_department(scope, actor=owner, name="Financeiro")

    customer = customer_phone()
    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Que horas abrem?", "push_name": "Ana"},
    )
    page.get_by_role("link", name="Inbox").click()
    page.get_by_test_id("conversation-item").filter(has_text="Ana").click()

    page.get_by_placeholder("Type a message").press_sequentially("/hor")
    page.get_by_test_id("quick-reply-option").filter(has_text="horario").click()
    expect(page.get_by_placeholder("Type a message")).to_have_value("Abrimos das 8h às 18h.")
    page.get_by_role("button", name="Send").click()
    _wait_for(lambda: "Abrimos das 8h às 18h." in phone_texts(live_app, customer))

    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_label("Agent", exact=True)).to_have_value(str(owner.user_id))
    page.get_by_label("Show").select_option("mine")
    expect(page.get_by_test_id("conversation-item").filter(has_text="Ana")).to_be_visible()
    page.get_by_label("Department", exact=True).last.select_option(label="Financeiro")
    expect(page.get_by_label("Department", exact=True).last).not_to_have_value("")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()


def test_schedule_and_follow_up_from_the_conversation(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Loja", name="Olivia", email=unique_email("owner"))
    business = linked_business(page, live_app, "Vendas")
    customer = customer_phone()
    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Quero um orçamento", "push_name": "Bia"},
    )
    page.get_by_role("link", name="Inbox").click()
    page.get_by_test_id("conversation-item").filter(has_text="Bia").click()
    page.get_by_label("Send at").fill("2031-05-04T10:30")
    page.get_by_label("Message to send").fill("Bom dia! Seu orçamento está pronto.")
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.get_by_test_id("pending-schedule")).to_contain_text("May 4, 2031 10:30")

    page.get_by_label("After (hours)").fill("2")
    page.get_by_label("Follow-up message").fill("Conseguiu ver o orçamento?")
    page.get_by_role("button", name="Start follow-up").click()
    expect(page.get_by_test_id("pending-followup")).to_contain_text("Conseguiu ver")

    sim_post(
        live_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Vi sim, obrigada", "push_name": "Bia"},
    )
    expect(page.get_by_test_id("incoming-bubble").filter(has_text="Vi sim")).to_be_visible()
    page.get_by_test_id("conversation-item").filter(has_text="Bia").click()
    expect(page.get_by_test_id("pending-followup")).to_have_count(0, timeout=10_000)


def test_read_receipts_only_when_the_company_wants_them(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Loja", name="Olivia", email=unique_email("owner"))
    business = linked_business(page, live_app, "Vendas")
    quiet, loud = customer_phone(), customer_phone()
    first = sim_post(
        live_app,
        "/sim/messages",
        {"from": quiet, "to": business, "text": "Primeira", "push_name": "Caio"},
    )
    page.get_by_role("link", name="Inbox").click()
    page.get_by_test_id("conversation-item").filter(has_text="Caio").click()
    expect(page.get_by_test_id("incoming-bubble")).to_contain_text("Primeira")

    page.get_by_role("link", name="Settings").click()
    page.get_by_label(
        "Send read receipts (blue ticks) when an attendant opens a conversation"
    ).click()
    expect(page.get_by_role("switch")).to_be_checked()
    second = sim_post(
        live_app,
        "/sim/messages",
        {"from": loud, "to": business, "text": "Segunda", "push_name": "Duda"},
    )
    page.get_by_role("link", name="Inbox").click()
    page.get_by_test_id("conversation-item").filter(has_text="Duda").click()
    _wait_for(
        lambda: (
            second["id"] in sim_get(live_app, f"/sim/phones/{loud}/read-receipts")["message_ids"]
        )
    )
    assert first["id"] not in sim_get(live_app, f"/sim/phones/{quiet}/read-receipts")["message_ids"]
