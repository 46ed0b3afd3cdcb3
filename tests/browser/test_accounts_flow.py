"""What a newcomer does first, in a real browser: sign up, sign out, sign in, invite, switch
language, and get a clear message for a wrong password."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import PASSWORD, sign_in, sign_out, sign_up, unique_email

pytestmark = pytest.mark.browser


def test_sign_up_sign_out_sign_in(page: Page, live_app: RunningApp) -> None:
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Padaria Pão Quente", name="Olivia Owner", email=email)
    expect(page.get_by_text("Welcome, Olivia Owner")).to_be_visible()
    expect(page.get_by_test_id("count-users")).to_have_text("1")
    sign_out(page)
    page.goto(f"{live_app.url}/")
    expect(page).to_have_url(re.compile(r"/login/?$"))
    sign_in(page, live_app.url, email.upper())
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_wrong_password_shows_a_clear_error(page: Page, live_app: RunningApp) -> None:
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Acme", name="Ana", email=email)
    sign_out(page)
    sign_in(page, live_app.url, email, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    expect(page).to_have_url(re.compile(r"/login/?$"))


def test_invited_agent_signs_in_and_can_be_disabled(browser: Browser, live_app: RunningApp) -> None:
    owner_page = browser.new_page(locale="en-US")
    sign_up(owner_page, live_app.url, company="Acme", name="Olivia", email=unique_email("owner"))
    owner_page.get_by_role("link", name="Settings").click()
    owner_page.get_by_label("Name", exact=True).fill("Ari Agent")
    agent_email = unique_email("agent")
    owner_page.get_by_label("Email").fill(agent_email)
    owner_page.get_by_role("button", name="Create invitation").click()
    link = owner_page.get_by_test_id("invite-link").inner_text()
    assert "/invite/" in link

    agent_page = browser.new_page(locale="en-US")
    agent_page.goto(live_app.url + link[link.index("/invite/") :])
    expect(agent_page.get_by_text(f"You were invited as {agent_email}")).to_be_visible()
    agent_page.get_by_label("Password").fill(PASSWORD)
    agent_page.get_by_role("button", name="Accept invitation").click()
    expect(agent_page.get_by_role("button", name="Sign in")).to_be_visible()
    sign_in(agent_page, live_app.url, agent_email)
    expect(agent_page.get_by_text("Welcome, Ari Agent")).to_be_visible()

    owner_page.reload()
    row = owner_page.get_by_test_id("user-row").filter(has_text=agent_email)
    role = row.get_by_label("Role")
    expect(role).to_have_value("agent")
    role.select_option("admin")
    owner_page.reload()
    expect(
        owner_page.get_by_test_id("user-row").filter(has_text=agent_email).get_by_label("Role")
    ).to_have_value("admin")
    row.get_by_role("button", name="Disable").click()
    expect(row).to_contain_text("Disabled")
    agent_page.reload()
    expect(agent_page.get_by_role("button", name="Sign in")).to_be_visible()


def test_language_switch_and_browser_default(browser: Browser, live_app: RunningApp) -> None:
    page = browser.new_page(locale="pt-BR")
    page.goto(f"{live_app.url}/login")
    expect(page.get_by_role("button", name="Entrar")).to_be_visible()
    expect(page.get_by_label("Senha")).to_be_visible()
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.get_by_label("Language").select_option("pt-BR")
    expect(page.get_by_role("link", name="Criar conta")).to_be_visible()


def test_unknown_pages_need_sign_in_and_unbuilt_ones_say_so(
    page: Page, live_app: RunningApp
) -> None:
    page.goto(f"{live_app.url}/inbox")
    expect(page).to_have_url(re.compile(r"/login/?$"))
    sign_up(page, live_app.url, company="Acme", name="Olivia", email=unique_email("owner"))
    page.get_by_role("link", name="Automations").click()
    expect(page.get_by_text("Not built yet")).to_be_visible()
