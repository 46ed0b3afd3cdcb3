"""Linking a WhatsApp number the way a person does: Connect, scan the QR code shown in the
page (decoded from the image, as a phone would), and watch it turn Connected live.

Also what each role sees: QR codes reach managers' tabs only, agents get no manager buttons
and no Simulated phone, and nobody plays another company's numbers, not even by calling the
page's handler over the websocket like an attacker.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import secrets
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import PASSWORD, sign_in, sign_up, unique_email
from whatsapp_saas.i18n import translate

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/h3-shots")


def sim_post(app: RunningApp, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        app.simulator_url + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def random_phone() -> str:
    return "+55119" + "".join(secrets.choice("0123456789") for _ in range(8))


def for_people(e164: str) -> str:
    from whatsapp_saas.phones import for_people as fmt

    return fmt(e164)


def scan_qr(page: Page) -> str:
    image = page.get_by_alt_text("QR code")
    expect(image).to_be_visible(timeout=30_000)
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
    assert results, "the QR image in the page could not be decoded"
    return str(results[0].text)


def add_number(page: Page, name: str) -> None:
    page.get_by_role("link", name="WhatsApp").click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Add number").click()
    expect(page.get_by_test_id("number-row").filter(has_text=name)).to_be_visible()


def row_of(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("number-row").filter(has_text=name)


def link_number(page: Page, app: RunningApp, name: str, phone: str) -> None:
    """Connect ``name``, scan its QR with ``phone``, close the dialog once connected."""
    row_of(page, name).get_by_role("button", name="Connect").click()
    sim_post(app, "/sim/link", {"qr": scan_qr(page), "phone": phone, "push_name": "Loja"})
    expect(page.get_by_test_id("connected-as")).to_contain_text(for_people(phone), timeout=20_000)
    page.get_by_role("button", name="Close").click()


# --- the app's own services, for setup (an agent) and for checking nothing changed --------


def _as_service(app: RunningApp) -> None:
    from tests.conftest import point_app_at
    from whatsapp_saas.bootstrap import load_models

    point_app_at(app.database_url)
    load_models()


def add_agent(app: RunningApp, owner_email: str) -> str:
    """An agent in the owner's company (invited and accepted through the services)."""
    from sqlmodel import select

    from whatsapp_saas.accounts import service as accounts
    from whatsapp_saas.accounts.models import User
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.tenancy.scope import TenantScope

    _as_service(app)
    email = unique_email("agent")
    with session_scope() as s:
        owner = s.exec(select(User).where(User.email == owner_email)).one()
        actor = accounts.CurrentUser(
            owner.id,  # type: ignore[arg-type]
            owner.tenant_id,
            "",
            owner.name,
            owner.email,
            owner.role,
            "en",
            "UTC",
        )
        invite = accounts.invite_user(
            TenantScope(s, owner.tenant_id), actor=actor, email=email, name="Agnes", role="agent"
        )
    with session_scope() as s:
        accounts.accept_invite(s, token=invite.token, password=PASSWORD)
    return email


def inbound_bodies(app: RunningApp, text: str) -> int:
    from sqlmodel import func, select

    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox.models import Message

    _as_service(app)
    with session_scope() as s:
        return int(s.exec(select(func.count()).where(Message.body == text)).one())


# --- an attacker's websocket: the real handler, called without the page ---------------------


def session_token(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "wa_session")


def call_handler(app: RunningApp, token: str, handler: str, payload: dict, path: str) -> str:
    """Call ``handler`` of the Simulated phone's state over Reflex's websocket as the user of
    session ``token``; return the error the state shows afterwards."""
    # Playwright's sync API runs an event loop in this thread: the client gets its own.
    with ThreadPoolExecutor(1) as pool:
        call = _call_handler(app.url, token, handler, payload, path)
        return pool.submit(asyncio.run, call).result()


async def _call_handler(url: str, token: str, handler: str, payload: dict, path: str) -> str:
    import socketio

    from whatsapp_saas.ui.base_state import AppState
    from whatsapp_saas.ui.simulator.state import SimulatorState

    state = SimulatorState.get_full_name()
    router = {"pathname": path, "query": {}, "asPath": path}
    errors: list[str] = []
    seen = asyncio.Event()
    client = socketio.AsyncClient()

    async def on_event(data: Any) -> None:
        update = json.loads(data) if isinstance(data, str) else data
        delta = (update or {}).get("delta", {}).get(state, {})
        if "error_rx_state_" in delta:
            errors.append(str(delta["error_rx_state_"]))
            seen.set()

    client.on("event", on_event, namespace="/_event")
    await client.connect(
        f"{url}?token={uuid.uuid4()}",
        socketio_path="/_event",
        namespaces=["/_event"],
        transports=["websocket"],
        headers={"Cookie": f"wa_session={token}"},
    )
    try:
        update_vars = (
            "reflex___state____state.reflex___state____update_vars_internal_state"
            ".update_vars_internal"
        )
        cookie = {"vars": {f"{AppState.get_full_name()}.token": token}}
        await client.emit(
            "event", {"name": update_vars, "payload": cookie, "router_data": router}, "/_event"
        )
        await client.emit(
            "event",
            {"name": f"{state}.{handler}", "payload": payload, "router_data": router},
            "/_event",
        )
        await asyncio.wait_for(seen.wait(), 20)
    finally:
        await client.disconnect()
    return errors[-1]


# --- tests --------------------------------------------------------------------------------


def test_qr_link_shows_connected_live_in_every_browser(
    browser: Browser, live_app: RunningApp
) -> None:
    email = unique_email("owner")
    page = browser.new_page(locale="en-US")
    sign_up(page, live_app.url, company="Loja", name="Olivia", email=email)
    add_number(page, "Vendas")
    watcher = browser.new_page(locale="en-US")
    sign_in(watcher, live_app.url, email)
    watcher.get_by_role("link", name="WhatsApp").click()
    expect(watcher.get_by_test_id("number-row")).to_contain_text("Disconnected")

    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_test_id("qr-countdown")).to_have_text(re.compile(r"^\d+$"), timeout=30_000)
    code = scan_qr(page)
    sim_post(
        live_app, "/sim/link", {"qr": code, "phone": "+5511999990000", "push_name": "Loja Vendas"}
    )

    expect(page.get_by_test_id("connected-as")).to_contain_text("+55 11 99999-0000", timeout=20_000)
    expect(page.get_by_text("Connected", exact=True)).to_be_visible()
    expect(watcher.get_by_test_id("number-state")).to_have_text("Connected", timeout=20_000)
    expect(watcher.get_by_test_id("number-row")).to_contain_text("+55 11 99999-0000")

    sim_post(live_app, "/sim/phones/+5511999990000/unlink", {})
    expect(watcher.get_by_test_id("number-state")).to_have_text("Logged out", timeout=20_000)
    expect(watcher.get_by_test_id("number-reason")).to_have_text(
        "The device was unlinked from the phone"
    )


def test_pairing_code_instead_of_qr(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Padaria", name="Paula", email=unique_email("owner"))
    add_number(page, "Atendimento")
    page.get_by_role("button", name="Connect").click()
    page.get_by_role("button", name="Use pairing code instead").click()
    page.get_by_label("Phone number (with country code)").fill("+55 11 98888-0000")
    page.get_by_role("button", name="Get pairing code").click()
    code = page.get_by_test_id("pairing-code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$"), timeout=30_000)
    sim_post(live_app, "/sim/pair", {"phone": "+5511988880000", "code": code.inner_text()})
    expect(page.get_by_test_id("connected-as")).to_contain_text("+55 11 98888-0000", timeout=20_000)


def test_bad_phone_for_pairing_gets_a_clear_error(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Acme", name="Ana", email=unique_email("owner"))
    add_number(page, "Suporte")
    page.get_by_role("button", name="Connect").click()
    page.get_by_role("button", name="Use pairing code instead").click()
    page.get_by_label("Phone number (with country code)").fill("12")
    page.get_by_role("button", name="Get pairing code").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("alert")).to_contain_text("valid phone number")


def test_expired_qr_ends_with_a_message_and_a_new_code_button(
    page: Page, live_app: RunningApp
) -> None:
    sign_up(page, live_app.url, company="Mercado", name="Marta", email=unique_email("owner"))
    add_number(page, "Caixa")
    page.get_by_role("button", name="Connect").click()
    sim_post(live_app, "/sim/qr/expire", {"qr": scan_qr(page)})
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_test_id("qr-ended")).to_contain_text(
        "The QR code expired without being scanned.", timeout=20_000
    )
    expect(dialog.locator(".rt-Spinner, [class*=spinner]")).to_have_count(0)
    dialog.get_by_role("button", name="Generate a new code").click()
    expect(dialog.get_by_alt_text("QR code")).to_be_visible(timeout=30_000)


def test_rename_is_prefilled_and_its_errors_stay_in_the_dialog(
    page: Page, live_app: RunningApp
) -> None:
    sign_up(page, live_app.url, company="Feira", name="Fabio", email=unique_email("owner"))
    add_number(page, "Hortifruti")
    page.get_by_role("button", name="Rename").click()
    dialog = page.get_by_role("dialog")
    box = dialog.get_by_label("New name")
    expect(box).to_have_value("Hortifruti")
    box.fill("   ")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_be_visible()
    box.fill("Frutas e verduras")
    dialog.get_by_role("button", name="Save").click()
    expect(row_of(page, "Frutas e verduras")).to_be_visible()


def test_relinking_to_a_different_phone_asks_first(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Quitanda", name="Quim", email=unique_email("owner"))
    add_number(page, "Balcão")
    first, second = random_phone(), random_phone()
    link_number(page, live_app, "Balcão", first)
    sim_post(live_app, f"/sim/phones/{first}/unlink", {})
    expect(page.get_by_test_id("number-state")).to_have_text("Logged out", timeout=20_000)

    page.get_by_role("button", name="Connect").click()
    sim_post(live_app, "/sim/link", {"qr": scan_qr(page), "phone": second})
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_test_id("confirm-phone")).to_contain_text(
        for_people(second), timeout=20_000
    )
    expect(dialog).to_contain_text(f"This number was linked to {for_people(first)}")
    expect(dialog).to_contain_text("The history stays where it is")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "whatsapp-confirm-phone-en-1366.png"))
    dialog.get_by_role("button", name=f"Use {for_people(second)}").click()
    expect(dialog.get_by_test_id("connected-as")).to_contain_text(
        for_people(second), timeout=20_000
    )


def test_agents_get_no_qr_codes_no_manager_buttons_and_no_simulated_phone(
    browser: Browser, live_app: RunningApp
) -> None:
    owner_email = unique_email("owner")
    owner = browser.new_page(locale="en-US")
    sign_up(owner, live_app.url, company="Loja Agente", name="Olga", email=owner_email)
    add_number(owner, "Vendas")
    business = random_phone()
    link_number(owner, live_app, "Vendas", business)
    add_number(owner, "Suporte")

    agent = browser.new_page(locale="en-US")
    frames: list[str] = []
    agent.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    sign_in(agent, live_app.url, add_agent(live_app, owner_email))
    expect(agent.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(agent.get_by_role("link", name="Simulated phone")).to_have_count(0)
    agent.get_by_role("link", name="WhatsApp").click()
    expect(row_of(agent, "Suporte")).to_contain_text("Disconnected")

    row_of(owner, "Suporte").get_by_role("button", name="Connect").click()
    qr = scan_qr(owner)
    expect(row_of(agent, "Suporte")).to_contain_text("Waiting for QR scan", timeout=20_000)
    for label in ("Connect", "Disconnect", "Log out", "Rename", "Delete"):
        expect(agent.get_by_role("button", name=label)).to_have_count(0)
    assert not [f for f in frames if qr in f or "svg+xml" in f], "a QR code reached an agent"

    agent.goto(f"{live_app.url}/simulator")
    expect(agent.get_by_test_id("sim-managers-only")).to_be_visible()
    expect(agent.get_by_label("Message")).to_have_count(0)

    injected = f"agent injection {secrets.token_hex(3)}"
    form = {"from": "+5511977776666", "to": business, "text": injected}
    token = session_token(agent)
    refused = {translate(lang, "error.permission_denied") for lang in ("pt-BR", "en")}
    assert call_handler(live_app, token, "send", {"form": form}, "/simulator") in refused
    scan = {"form": {"qr": qr, "phone": random_phone()}}
    assert call_handler(live_app, token, "link", scan, "/simulator") in refused
    expect(row_of(owner, "Suporte")).to_contain_text("Waiting for QR scan")
    assert inbound_bodies(live_app, injected) == 0


def test_another_company_cannot_link_or_write_to_our_numbers(
    browser: Browser, live_app: RunningApp
) -> None:
    ours = browser.new_page(locale="en-US")
    sign_up(ours, live_app.url, company="Nossa Loja", name="Nina", email=unique_email("owner"))
    add_number(ours, "Vendas")
    business = random_phone()
    link_number(ours, live_app, "Vendas", business)
    add_number(ours, "Suporte")
    row_of(ours, "Suporte").get_by_role("button", name="Connect").click()
    qr = scan_qr(ours)

    theirs = browser.new_page(locale="en-US")
    sign_up(theirs, live_app.url, company="Outra", name="Otto", email=unique_email("owner"))
    theirs.get_by_role("link", name="Simulated phone").click()
    theirs.get_by_label("QR text").fill(qr)
    theirs.get_by_label("Business phone number").first.fill(random_phone())
    theirs.get_by_role("button", name="Link", exact=True).click()
    expect(theirs.get_by_role("alert")).to_have_text(
        "This QR code is not shown by any of your company's numbers."
    )
    injected = f"cross-tenant {secrets.token_hex(3)}"
    theirs.get_by_label("Customer phone").fill("(11) 97777-6666")
    theirs.get_by_label("To (business number)").fill(for_people(business))
    theirs.get_by_label("Message").fill(injected)
    theirs.get_by_role("button", name="Send as customer").click()
    expect(theirs.get_by_role("alert")).to_have_text(
        "That is not one of your company's linked numbers."
    )
    # Their phone may not take over ours either (it would log our number out).
    expect(row_of(ours, "Suporte")).to_contain_text("Waiting for QR scan")
    expect(row_of(ours, "Vendas")).to_contain_text("Connected")
    assert inbound_bodies(live_app, injected) == 0

    # Our own manager reaches our number, with the phone typed the way people type it.
    ours.get_by_role("button", name="Close").click()
    ours.get_by_role("link", name="Simulated phone").click()
    ours.get_by_label("Customer phone").fill("(11) 97777-6666")
    ours.get_by_label("Customer name").fill("Dona Maria")
    ours.get_by_label("To (business number)").fill(for_people(business))
    ours.get_by_label("Message").fill("Oi, tudo bem?")
    ours.get_by_role("button", name="Send as customer").click()
    expect(ours.get_by_role("status")).to_have_text(f"Delivered to {for_people(business)}.")


def test_simulated_phone_links_a_waiting_number_from_this_browser(
    page: Page, live_app: RunningApp
) -> None:
    sign_up(page, live_app.url, company="Sorveteria", name="Sara", email=unique_email("owner"))
    add_number(page, "Balcão")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_alt_text("QR code")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Close").click()
    page.get_by_role("link", name="Simulated phone").click()
    waiting = page.get_by_test_id("sim-waiting")
    expect(waiting).to_contain_text("Balcão")
    waiting.get_by_role("button", name="Scan from this browser").click()
    expect(page.get_by_label("QR text")).not_to_have_value("")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "simulator-waiting-en-1366.png"))
    page.get_by_label("Business phone number").first.fill("(11) 96666-5555")
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Linked +55 11 96666-5555.")
    page.get_by_role("link", name="WhatsApp").click()
    expect(page.get_by_test_id("number-state")).to_have_text("Connected", timeout=20_000)


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_screenshots_of_the_whatsapp_and_simulated_phone_pages(
    browser: Browser, live_app: RunningApp, lang: str
) -> None:
    """Saved to /tmp/h3-shots for a person to look at (1366x768 and 390 px wide)."""
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    sign_up(page, live_app.url, company="Vitrine", name="Vera", email=unique_email("owner"))
    add_number(page, "Vendas")
    link_number(page, live_app, "Vendas", random_phone())
    add_number(page, "Suporte")
    page.get_by_label("Language").first.select_option(lang)
    heading = "Números de WhatsApp" if lang == "pt-BR" else "WhatsApp numbers"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()  # the switch landed
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_app.url}/whatsapp")
        expect(page.get_by_test_id("number-row").first).to_be_visible()
        if lang == "pt-BR":  # relative times in the UI's language too
            expect(row_of(page, "Vendas")).to_contain_text("há ")
        page.screenshot(path=str(SHOTS / f"whatsapp-{lang}-{width}.png"), full_page=True)
        page.goto(f"{live_app.url}/simulator")
        expect(page.locator("#sim-qr")).to_be_visible()
        page.screenshot(path=str(SHOTS / f"simulator-{lang}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_app.url}/whatsapp")
    row_of(page, "Suporte").get_by_role("button").first.click()
    expect(page.get_by_alt_text("QR code")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(SHOTS / f"whatsapp-qr-{lang}-1366.png"))
