"""Settings → Sending: a manager sets quiet hours and a number's limits, and sees them applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.browser.test_whatsapp_flow import add_number

pytestmark = pytest.mark.browser


def test_quiet_hours_and_number_limits(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Loja", name="Olivia", email=unique_email("owner"))
    add_number(page, "Campanhas")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Sending limits").click()

    page.get_by_label("Quiet hours start").fill("21:00")
    page.get_by_label("Quiet hours end").fill("08:00")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")

    row = page.get_by_test_id("number-limits").filter(has_text="Campanhas")
    row.get_by_label("Sends per window").fill("3")
    row.get_by_label("Window (seconds)").fill("10")
    row.get_by_label("Warm-up days").fill("0")
    row.get_by_label("Bulk daily cap").fill("120")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_test_id("limits-today")).to_have_text("3/10s · 120")

    page.reload()
    expect(page.get_by_label("Quiet hours start")).to_have_value("21:00")
    row = page.get_by_test_id("number-limits").filter(has_text="Campanhas")
    expect(row.get_by_label("Bulk daily cap")).to_have_value("120")

    # A negative limit never reaches the server: the browser refuses the field.
    field = row.get_by_label("Sends per window")
    field.fill("-2")
    assert field.evaluate("el => el.checkValidity()") is False


def test_a_rate_of_zero_is_refused_in_its_row(page: Page, live_app: RunningApp) -> None:
    sign_up(page, live_app.url, company="Loja 0", name="Zara", email=unique_email("zero"))
    add_number(page, "Atendimento")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Sending limits").click()
    row = page.get_by_test_id("number-limits").filter(has_text="Atendimento")
    # Not linked yet: the cap applied today says the warm-up has not started.
    expect(row.get_by_test_id("limits-warmup")).to_have_text(
        "Warm-up starts when the number is linked"
    )
    row.get_by_label("Sends per window").fill("0")
    row.get_by_label("Bulk daily cap").fill("80")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_test_id("limits-error")).to_contain_text("must be at least 1")
    expect(row.get_by_label("Sends per window")).to_have_value("0")  # what was typed stays
    expect(row.get_by_label("Bulk daily cap")).to_have_value("80")
    expect(page.get_by_role("status")).to_have_count(0)
    row.get_by_label("Sends per window").fill("5")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_test_id("limits-error")).to_have_count(0)
    expect(row.get_by_test_id("limits-today")).to_contain_text("5/")


SHOTS = Path("/tmp/h4-shots")


@pytest.mark.parametrize("locale", ["pt-BR", "en-US"])
def test_sending_limits_screens(browser: Browser, live_app: RunningApp, locale: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(locale="en-US", viewport={"width": 1366, "height": 768})
    sign_up(page, live_app.url, company="Loja S", name="Sara", email=unique_email("shots"))
    add_number(page, "Campanhas")
    page.locator("#sidebar-language").select_option("pt-BR" if locale == "pt-BR" else "en")
    dashboard = "Painel" if locale == "pt-BR" else "Dashboard"
    expect(page.get_by_role("link", name=dashboard)).to_be_visible()  # saved with the user
    page.goto(f"{live_app.url}/settings/sending")
    page.get_by_test_id("number-limits").first.wait_for()
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"sending-{locale}-{width}.png"), full_page=True)
    page.close()
