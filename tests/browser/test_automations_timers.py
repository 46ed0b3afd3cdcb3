"""Automations in a real browser: a time-based rule built by its labels, and a rule made from
a template (created switched off); screenshots at 1366x768 and 390 px wide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/timers_shots"))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_time_rule_and_template(page: Page, live_app: RunningApp) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_up(page, live_app.url, company="Loja", name="Tina", email=unique_email("timer"))
    page.get_by_role("link", name="Automations").click()
    page.get_by_role("button", name="New rule").click()
    page.get_by_label("Trigger").select_option(label="No agent reply for…")
    page.get_by_label("Minutes", exact=True).fill("0")
    page.get_by_label("Action", exact=True).first.select_option(label="Send message")
    page.get_by_label("Message", exact=True).fill("Já vamos te atender!")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Minutes: a whole number from 1")).to_be_visible()
    expect(page.get_by_label("Minutes", exact=True)).to_have_value("0")  # what was typed stays
    _shot(page, "builder-timer-error-1366")
    page.get_by_label("Minutes", exact=True).fill("10")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("rule-row").filter(has_text="Time-based")).to_be_visible()

    page.get_by_role("button", name="Templates").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Greeting for new contacts")).to_be_visible()
    _shot(page, "templates-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "templates-390")
    dialog.get_by_role("button", name="Use template: Price question: tag lead and reply").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    row = page.get_by_test_id("rule-row").filter(has_text="Price question")
    expect(row).to_contain_text("Off")
    _shot(page, "rules-390")
    page.get_by_role("button", name="New rule").click()
    page.get_by_label("Trigger").select_option(label="On a schedule")
    expect(page.get_by_label("Time (HH:MM)")).to_be_visible()
    _shot(page, "builder-schedule-390")
