"""What a newcomer does first, in a real browser: sign up, sign out, sign in, invite, switch
language, and get a clear message for a wrong password.

Also, from outside (plain HTTP and a socket.io client, as an attacker would): the session cookie
is HttpOnly and SameSite=Strict, page scripts cannot read it, and no websocket delta carries it
(issue 9, item 10). This module runs its own app, with a local SMTP sink for invitation mail.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import socketio
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.accounts.smtp_sink import smtp_sink
from tests.browser.conftest import ROOT, RunningApp, live_app_process
from tests.browser.helpers import (
    NAVIGATION_TIMEOUT_MS as WAIT,
)
from tests.browser.helpers import PASSWORD, sign_in, sign_out, sign_up, unique_email
from whatsapp_saas.security.tokens import token_hash

pytestmark = pytest.mark.browser

APP_STATE = "reflex___state____state.whatsapp_saas___ui___base_state____app_state"
SHOTS = Path("/tmp/h5-accounts-shots")


@dataclass
class Sink:
    port: int
    received: list[EmailMessage]


@pytest.fixture(scope="module")
def smtp() -> Iterator[Sink]:
    with smtp_sink() as (port, received):
        yield Sink(port, received)


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory, smtp: Sink) -> Iterator[RunningApp]:
    with live_app_process(
        tmp_path_factory.mktemp("accounts-app"),
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        SMTP_STARTTLS="false",
    ) as app:
        yield app


def test_sign_up_sign_out_sign_in(page: Page, live_app: RunningApp) -> None:
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Padaria Pão Quente", name="Olivia Owner", email=email)
    expect(page.get_by_text("Welcome, Olivia Owner")).to_be_visible()
    expect(page.get_by_test_id("count-users")).to_have_text("1")
    sign_out(page)
    page.goto(f"{live_app.url}/")
    expect(page).to_have_url(re.compile(r"/login/?$"), timeout=WAIT)
    sign_in(page, live_app.url, email.upper())
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible(timeout=WAIT)


def test_wrong_password_shows_a_clear_error(page: Page, live_app: RunningApp) -> None:
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Acme", name="Ana", email=email)
    sign_out(page)
    sign_in(page, live_app.url, email, "not the password")
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    expect(page).to_have_url(re.compile(r"/login/?$"), timeout=WAIT)


def test_invited_agent_signs_in_and_can_be_disabled(
    browser: Browser, live_app: RunningApp, smtp: Sink
) -> None:
    owner_context = browser.new_context(locale="en-US")
    owner_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_app.url)
    owner_page = owner_context.new_page()
    sign_up(owner_page, live_app.url, company="Acme", name="Olivia", email=unique_email("owner"))
    owner_page.get_by_role("link", name="Settings").click()
    owner_page.get_by_label("Name", exact=True).fill("Ari Agent")
    agent_email = unique_email("agent")
    owner_page.get_by_label("Email").fill(agent_email)
    owner_page.get_by_role("button", name="Create invitation").click()
    link = owner_page.get_by_test_id("invite-link").inner_text()
    assert "/invite/" in link
    expect(owner_page.get_by_text(f"Invitation e-mailed to {agent_email}")).to_be_visible()
    owner_page.get_by_role("button", name="Copy link").click()
    expect(owner_page.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    assert owner_page.evaluate("navigator.clipboard.readText()") == link
    mail = next(m for m in smtp.received if m["To"] == agent_email)
    assert link in mail.get_content() and mail["Subject"] == "Olivia invited you to Acme"

    agent_page = browser.new_page(locale="en-US")
    agent_page.goto(live_app.url + link[link.index("/invite/") :])
    expect(agent_page.get_by_text(f"You were invited as {agent_email}")).to_be_visible()
    agent_page.get_by_label("Password").fill(PASSWORD)
    agent_page.get_by_role("button", name="Accept invitation").click()
    # Signed in straight away: no second trip through the sign-in form.
    expect(agent_page.get_by_text("Welcome, Ari Agent")).to_be_visible(timeout=WAIT)

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
    expect(page).to_have_url(re.compile(r"/login/?$"), timeout=WAIT)
    sign_up(page, live_app.url, company="Acme", name="Olivia", email=unique_email("owner"))
    page.get_by_role("link", name="AI", exact=True).click()
    expect(page.get_by_text("Not built yet")).to_be_visible()


# --- the session cookie (issue 9, item 10) ------------------------------------------------------


def _session_cookie(page: Page) -> Any:
    return next((c for c in page.context.cookies() if c["name"] == "wa_session"), None)


def test_the_session_cookie_is_http_only_and_hidden_from_page_scripts(
    page: Page, live_app: RunningApp
) -> None:
    sign_up(page, live_app.url, company="Acme", name="Olivia Owner", email=unique_email("o"))
    cookie = _session_cookie(page)
    assert cookie is not None
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["secure"] is False  # plain http here; Secure when APP_BASE_URL is https
    assert "wa_session" not in page.evaluate("document.cookie")
    page.reload()  # a new websocket reads the session from its request's Cookie header
    expect(page.get_by_text("Welcome, Olivia Owner")).to_be_visible(timeout=WAIT)
    sign_out(page)
    assert _session_cookie(page) is None
    page.goto(f"{live_app.url}/settings")
    expect(page).to_have_url(re.compile(r"/login/?$"), timeout=WAIT)


def test_the_lockout_message_follows_the_language_switch(page: Page, live_app: RunningApp) -> None:
    email = unique_email("owner")
    sign_up(page, live_app.url, company="Acme", name="Ana", email=email)
    sign_out(page)
    for _ in range(5):
        sign_in(page, live_app.url, email, "not the password")
        expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")
    page.get_by_label("Language").select_option("pt-BR")
    expect(page.get_by_role("alert")).to_contain_text("Muitas tentativas de acesso sem sucesso")


def _post(url: str, data: dict[str, str], cookie: str | None = None) -> Any:
    import httpx

    headers = {"Cookie": cookie} if cookie else {}
    return httpx.post(url, data=data, headers=headers, follow_redirects=False, timeout=30)


def _run(work: Coroutine[Any, Any, str]) -> str:
    """Playwright's sync API keeps an event loop in this thread; run ours in another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _deltas(base_url: str, cookie: str | None, events: list[tuple[str, dict]]) -> str:
    """Everything the app sends back for ``events``, as one JSON text."""
    received: list[Any] = []
    client = socketio.AsyncClient()

    @client.on("event", namespace="/_event")
    async def on_event(data: Any) -> None:
        received.append(json.loads(data) if isinstance(data, str) else data)

    await client.connect(
        f"{base_url}?token={uuid.uuid4()}",
        headers={"Cookie": cookie} if cookie else {},
        transports=["websocket"],
        socketio_path="/_event",
        namespaces=["/_event"],
    )
    router = {"pathname": "/settings", "query": {}, "asPath": "/settings"}
    for name, payload in events:
        await client.emit(
            "event", {"name": name, "payload": payload, "router_data": router}, namespace="/_event"
        )
        for _ in range(300):
            if sum(1 for r in received if r.get("final")) >= events.index((name, payload)) + 1:
                break
            await asyncio.sleep(0.05)
    await client.disconnect()
    return json.dumps(received)


def test_from_outside_the_cookie_is_issued_by_http_and_never_travels_in_state(
    live_app: RunningApp,
) -> None:
    email = unique_email("ext")
    page_url = live_app.url
    # Sign-up needs the websocket; the HTTP route then signs in like any outside client.
    with_browserless_signup(page_url, email)
    response = _post(f"{page_url}/auth/session", {"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    [set_cookie] = [v for v in response.headers.get_list("set-cookie") if "wa_session=" in v]
    lowered = set_cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "path=/" in lowered
    assert "secure" not in lowered
    token = response.cookies["wa_session"]

    login = f"{APP_STATE}.require_login"
    signed_in = _run(_deltas(page_url, f"wa_session={token}", [(login, {})]))
    assert email in signed_in and '"signed_in_rx_state_": true' in signed_in
    assert token not in signed_in

    # A forged hash in the Cookie header is dropped; the old client-set state var is gone.
    forged = _run(_deltas(page_url, f"wa_session_ref={token_hash(token)}", [(login, {})]))
    assert email not in forged
    set_var = "reflex___state____state.reflex___state____update_vars_internal_state"
    old_way = _run(
        _deltas(
            page_url,
            None,
            [
                (f"{set_var}.update_vars_internal", {"vars": {f"{APP_STATE}.token": token}}),
                (login, {}),
            ],
        )
    )
    assert email not in old_way
    # Reflex keeps its states on disk here (Redis in production): the token is not in them.
    for stored in (ROOT / ".states").rglob("*"):
        if stored.is_file():
            assert token.encode() not in stored.read_bytes(), stored

    # Sign-out over HTTP revokes the session and clears the cookie.
    out = _post(f"{page_url}/auth/sign-out", {}, cookie=f"wa_session={token}")
    assert out.status_code == 303
    assert any(
        "wa_session=" in v and "max-age=0" in v.lower() for v in out.headers.get_list("set-cookie")
    )
    after = _run(_deltas(page_url, f"wa_session={token}", [(login, {})]))
    assert email not in after


def test_a_cross_site_form_cannot_sign_a_browser_in(live_app: RunningApp) -> None:
    import httpx

    response = httpx.post(
        f"{live_app.url}/auth/session",
        data={"code": "whatever"},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def with_browserless_signup(base_url: str, email: str) -> None:
    """Sign up over the websocket, as the sign-up page does (the handler hands back a code)."""
    signup = f"{APP_STATE}.whatsapp_saas___ui___auth___state____auth_form_state.sign_up"
    form = {"company_name": "Ext", "name": "Ext Owner", "email": email, "password": PASSWORD}
    sent = _run(_deltas(base_url, None, [(signup, {"form": form})]))
    assert "wa-session" in sent  # the page is asked to post a one-time code, nothing more


# --- screenshots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["pt-BR", "en"])
def test_screenshots_of_the_account_pages(
    browser: Browser, live_app: RunningApp, language: str
) -> None:
    """Sign-in, sign-up, invitation and users pages at a laptop's and a phone's width."""
    SHOTS.mkdir(exist_ok=True)
    owner = browser.new_page(locale="en-US")
    email = unique_email("shots")
    sign_up(owner, live_app.url, company="Padaria Pão Quente", name="Olivia", email=email)
    owner.get_by_role("link", name="Settings").click()
    owner.get_by_label("Name", exact=True).fill("Zé da Silva")
    owner.get_by_label("Email").fill(unique_email("ze"))
    owner.get_by_role("button", name="Create invitation").click()
    link = owner.get_by_test_id("invite-link").inner_text()
    invite_path = link[link.index("/invite/") :]
    locale = "pt-BR" if language == "pt-BR" else "en-US"
    for width, height in ((1366, 768), (390, 844)):
        size: ViewportSize = {"width": width, "height": height}
        anon = browser.new_context(locale=locale, viewport=size).new_page()
        for name, path in (("sign-in", "/login"), ("sign-up", "/signup"), ("invite", invite_path)):
            anon.goto(live_app.url + path)
            expect(anon.get_by_role("heading", level=2)).to_be_visible()
            anon.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)
        member = browser.new_context(locale=locale, viewport=size).new_page()
        member.goto(f"{live_app.url}/login")
        member.locator("#email").fill(email)
        member.locator("#password").fill(PASSWORD)
        member.locator("button[type=submit]").click()
        expect(member.get_by_test_id("count-users")).to_be_visible(timeout=WAIT)
        member.goto(f"{live_app.url}/settings")
        expect(member.get_by_test_id("user-row").first).to_be_visible()
        member.locator("#invite-name").fill("Maria")
        member.locator("#invite-email").fill(unique_email("maria"))
        member.locator("#invite-email").locator("xpath=ancestor::form").locator(
            "button[type=submit]"
        ).click()
        expect(member.get_by_test_id("invite-link")).to_be_visible()
        member.screenshot(path=str(SHOTS / f"users-{language}-{width}.png"), full_page=True)


# --- one person, several companies (issue 9, item 9) ---------------------------------------------


def test_one_person_switches_between_their_companies(page: Page, live_app: RunningApp) -> None:
    email = unique_email("maria")
    sign_up(page, live_app.url, company="Padaria Pão Quente", name="Maria", email=email)
    expect(page.get_by_label("Company")).to_have_count(0)  # one company: no switcher
    sign_out(page)
    # Signing up again with the same email and password starts a second company.
    sign_up(page, live_app.url, company="Mercado da Maria", name="Maria", email=email)
    sidebar = page.get_by_role("complementary").or_(page.locator("body"))
    expect(sidebar.get_by_text("Mercado da Maria").first).to_be_visible()
    switcher = page.get_by_label("Company")
    expect(switcher).to_have_value(re.compile(r"\d+"))
    switcher.select_option(label="Padaria Pão Quente")
    expect(page.get_by_label("Company").locator("option:checked")).to_have_text(
        "Padaria Pão Quente", timeout=WAIT
    )
    cookie = _session_cookie(page)
    assert cookie is not None and cookie["httpOnly"] is True
    page.reload()
    expect(page.get_by_label("Company").locator("option:checked")).to_have_text(
        "Padaria Pão Quente"
    )
    page.screenshot(path=str(SHOTS / "company-switcher-en-1366.png"), full_page=True)
