"""Steps a person takes in the browser, shared by browser tests."""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"
# Signing in or out is a real page load now (the HttpOnly cookie comes from an HTTP route),
# then a new websocket: on a busy machine that takes longer than Playwright's default 5 s.
NAVIGATION_TIMEOUT_MS = 20_000


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


def sign_up(page: Page, base_url: str, *, company: str, name: str, email: str) -> None:
    page.goto(f"{base_url}/signup")
    page.get_by_label("Company name").fill(company)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible(
        timeout=NAVIGATION_TIMEOUT_MS
    )


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(
        timeout=NAVIGATION_TIMEOUT_MS
    )
