"""Settings → Sending: a manager sets quiet hours and a number's limits, and sees them applied."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

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
