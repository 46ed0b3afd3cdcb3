"""Issue 8 "Clean start-up": every page, in both languages, opens with a clean console.

The app runs as ``make run`` runs it (``reflex run``, dev mode), where React reports invalid
nesting (``<p>`` inside ``<p>``), unknown DOM props and hydration mismatches. Signed in as an
owner, the test opens every page in English and in Portuguese and fails on any console error,
on any warning of those kinds, and on any Reflex deprecation warning in the app's own log.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.conftest import ROOT, _stop, app_environment, free_port
from tests.browser.helpers import PASSWORD, sign_up, unique_email
from tests.conftest import _pg_url_for, create_pg_database, drop_pg_database, migrate
from whatsapp_saas.i18n import catalog
from whatsapp_saas.ui import routes
from whatsapp_saas.ui.settings import departments, quick_replies, sending

pytestmark = pytest.mark.browser

# Each page and the catalogue key of its browser tab title.
TITLES = {
    routes.DASHBOARD: "title.dashboard",
    routes.INBOX: "title.inbox",
    routes.WHATSAPP: "title.whatsapp",
    routes.SIMULATOR: "title.simulator",
    routes.SCHEDULING: "title.scheduling",
    routes.CONTACTS: "title.contacts",
    routes.PIPELINE: "title.pipeline",
    routes.AUTOMATIONS: "title.automations",
    routes.AI: "title.ai",
    routes.SETTINGS: "title.settings",
    quick_replies.ROUTE: "title.quick_replies",
    departments.ROUTE: "title.departments",
    sending.ROUTE: "title.sending",
    routes.LOGIN: "title.login",
    routes.SIGNUP: "title.signup",
}
# How each language writes a date and time: 01/12/2026 17:21, or Dec 1, 2026 17:21.
DATE_TIME = {
    "pt-BR": re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"),
    "en": re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}"),
}
PAGES = [
    routes.DASHBOARD,
    routes.INBOX,
    routes.WHATSAPP,
    routes.SIMULATOR,
    routes.SCHEDULING,
    routes.CONTACTS,
    routes.PIPELINE,
    routes.AUTOMATIONS,
    routes.AI,
    routes.SETTINGS,
    quick_replies.ROUTE,
    departments.ROUTE,
    sending.ROUTE,
]
# The dashboard first: signed out, it sends the browser to the sign-in page.
PUBLIC_PAGES = [routes.DASHBOARD, routes.LOGIN, "/invite/not-a-real-invitation", routes.SIGNUP]
# Warnings of the kinds the issue names; any console error fails on its own.
BAD_WARNING = re.compile(
    r"hydrat|cannot be a descendant|cannot contain a nested|validateDOMNesting"
    r"|does not recognize the|Unknown (event handler )?prop|Invalid (DOM )?(property|attribute)"
    r"|non-boolean attribute|unique \"key\"",
    re.IGNORECASE,
)
START_TIMEOUT_S = 420


class DevApp:
    def __init__(self, url: str, log: Path, database_url: str) -> None:
        self.url, self.log, self.database_url = url, log, database_url


@pytest.fixture(scope="module")
def dev_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevApp]:
    """``reflex run`` in dev mode, as ``make run`` starts it, with a throwaway database."""
    data_dir = tmp_path_factory.mktemp("devapp")
    name = create_pg_database("wa_console")
    database_url = _pg_url_for(name)
    migrate(database_url)
    front, back = free_port(), free_port()
    env = app_environment(
        front,
        database_url,
        data_dir,
        WHATSAPP_DRIVER="simulator",
        SIMULATOR_PORT=str(free_port()),
        SIMULATOR_URL="",
        LOG_LEVEL="INFO",
    )
    command = [
        str(Path(sys.executable).parent / "reflex"),
        "run",
        "--frontend-port",
        str(front),
        "--backend-port",
        str(back),
        "--loglevel",
        "info",
    ]
    log = data_dir / "app.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_up(f"http://127.0.0.1:{front}/login", f"http://127.0.0.1:{back}/ping", process)
        yield DevApp(f"http://127.0.0.1:{front}", log, database_url)
    finally:
        _stop(process)
        drop_pg_database(name)


def _wait_until_up(page_url: str, ping_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the app exited during start-up")
        with contextlib.suppress(Exception):
            for url in (ping_url, page_url):
                with urllib.request.urlopen(url, timeout=5) as response:
                    assert response.status == 200
            return
        time.sleep(1)
    raise RuntimeError(f"the app did not start in {START_TIMEOUT_S}s")


class ConsoleWatch:
    """Every console error and page error, and warnings of the kinds above, per page."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        self.current = ""
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{self.current}: {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" or (message.type == "warning" and BAD_WARNING.search(text)):
            self.problems.append(f"{self.current} [{message.type}] {text[:3000]}")


def seed_tenant(database_url: str, owner_email: str) -> int:
    """Rows on every page (a number, chats, a quick reply, a department, a schedule), so the
    test renders lists and bubbles, not only empty states. Returns a conversation id."""
    from sqlmodel import select

    from tests.conftest import point_app_at
    from tests.inbox.inbox_helpers import inbound
    from whatsapp_saas.accounts.models import User
    from whatsapp_saas.accounts.service import sign_in
    from whatsapp_saas.db import session_scope
    from whatsapp_saas.inbox import departments, quick_replies
    from whatsapp_saas.inbox.ingest import ingest_event
    from whatsapp_saas.inbox.models import Conversation
    from whatsapp_saas.scheduling.schedules import create_schedule
    from whatsapp_saas.tenancy.scope import TenantScope
    from whatsapp_saas.whatsapp.service import add_number

    point_app_at(database_url)
    with session_scope() as s:
        owner = s.exec(select(User).where(User.email == owner_email)).one()
        tenant_id = owner.tenant_id
        number_id = add_number(TenantScope(s, tenant_id), name="Loja Centro").id
        quick_replies.create_quick_reply(
            TenantScope(s, tenant_id), shortcut="pix", text="Nossa chave *Pix*: loja@example.com"
        )
    assert number_id is not None
    for phone, name, text in (
        ("+5511988887777", "Dona Maria", "Oi! O pão de queijo *saiu*? https://example.com/pedido"),
        ("+5521977776666", "Zé", "_Bom dia_, quero ~cancelar~ ```agendar``` uma entrega"),
    ):
        ingest_event(inbound(tenant_id, number_id, phone=phone, push_name=name, text=text))
    with session_scope() as s:
        conversation = s.exec(
            select(Conversation).where(Conversation.tenant_id == tenant_id)
        ).first()
        assert conversation is not None and conversation.id is not None
        me = sign_in(s, email=owner_email, password=PASSWORD).user
        departments.create_department(TenantScope(s, tenant_id), actor=me, name="Vendas")
        create_schedule(
            TenantScope(s, tenant_id),
            actor=me,
            number_id=number_id,
            contact_id=conversation.contact_id,
            when_local=datetime.now() + timedelta(days=2),
            text="Lembrete: sua entrega é amanhã",
        )
        return conversation.id


def _visit(page: Page, watch: ConsoleWatch, base_url: str, path: str) -> None:
    watch.current = path
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)  # the hydrate and on_load deltas render after the load event


def test_every_page_opens_without_console_errors_in_both_languages(
    browser: Browser, dev_app: DevApp
) -> None:
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    watch = ConsoleWatch(page)
    for path in PUBLIC_PAGES:
        _visit(page, watch, dev_app.url, path)
    email = unique_email("owner")
    sign_up(page, dev_app.url, company="Padaria", name="Olivia", email=email)
    chat = f"{routes.INBOX}?c={seed_tenant(dev_app.database_url, email)}"
    for language in ("en", "pt-BR"):
        page.evaluate(f"localStorage.setItem('wa_lang', '{language}')")
        for path in [*PAGES, chat]:
            _visit(page, watch, dev_app.url, path)
    assert not watch.problems, "\n".join(watch.problems)
    deprecations = [line for line in dev_app.log.read_text().splitlines() if "eprecat" in line]
    assert not deprecations, "\n".join(deprecations)


def test_tab_titles_and_dates_follow_the_language(browser: Browser, dev_app: DevApp) -> None:
    page = browser.new_page(locale="en-US")
    sign_up(page, dev_app.url, company="Padaria", name="Olivia", email=unique_email("owner"))
    for language in ("pt-BR", "en"):
        page.evaluate(f"localStorage.setItem('wa_lang', '{language}')")
        for path, key in TITLES.items():
            if path in (routes.LOGIN, routes.SIGNUP):
                continue  # signed in, these send the browser on; the sign-in page is below
            page.goto(dev_app.url + path)
            expect(page).to_have_title(catalog(language)[key])
        page.goto(dev_app.url + routes.SETTINGS)
        created = page.get_by_test_id("user-row").first.get_by_role("cell").nth(4)
        expect(created).to_have_text(DATE_TIME[language])
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title(catalog("en")["title.login"])
