"""Issue 9 item 5, as a person sees it: a disabled colleague's open page stops updating live.

Before the fix, the disabled admin's WhatsApp page kept showing every number the owner added.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_in
from tests.realtime.conftest import PASSWORD, make_colleagues
from whatsapp_saas.ui import routes

pytestmark = pytest.mark.browser

# Time for a committed change to reach the relay; nothing below measures it.
SETTLE_MS = 2000


def _open_whatsapp(browser: Browser, url: str, email: str) -> Page:
    page = browser.new_page(locale="en-US")
    sign_in(page, url, email, PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto(url + routes.WHATSAPP)
    expect(page.get_by_role("button", name="Add number")).to_be_visible()
    return page


def _add_number(owner: Page, name: str) -> None:
    owner.get_by_placeholder("e.g. Sales").fill(name)
    owner.get_by_role("button", name="Add number").click()
    expect(owner.get_by_test_id("number-row").filter(has_text=name)).to_be_visible()


def test_a_disabled_admins_open_page_stops_showing_live_changes(
    browser: Browser, feed_app: tuple[RunningApp, Path]
) -> None:
    app, _log = feed_app
    owner_email, admin_email = make_colleagues("admin")
    owner = _open_whatsapp(browser, app.url, owner_email)
    admin = _open_whatsapp(browser, app.url, admin_email)

    _add_number(owner, "Vendas")
    expect(admin.get_by_test_id("number-row").filter(has_text="Vendas")).to_be_visible()

    owner.goto(app.url + routes.SETTINGS)
    row = owner.get_by_test_id("user-row").filter(has_text=admin_email)
    row.get_by_role("button", name="Disable").click()
    expect(row).to_contain_text("Disabled")
    owner.wait_for_timeout(SETTLE_MS)

    owner.goto(app.url + routes.WHATSAPP)
    _add_number(owner, "Suporte")
    admin.wait_for_timeout(SETTLE_MS)
    expect(admin.get_by_test_id("number-row").filter(has_text="Suporte")).to_have_count(0)
    expect(admin.get_by_test_id("number-row").filter(has_text="Vendas")).to_be_visible()
