"""Disk filling, from outside a running app (its quota is 12 MB per company here): uploads
stop at the quota with a clear error, a cleared attachment leaves no file behind, and
Settings shows how much is used."""

from __future__ import annotations

import secrets
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_up, unique_email
from tests.http_security.conftest import TEST_MEDIA_QUOTA_MB
from tests.http_security.live import SCHEDULES, Company, Tab, company, run_async, use_app_database
from whatsapp_saas.i18n import translate
from whatsapp_saas.inbox.media import MB

pytestmark = pytest.mark.slow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048


@pytest.fixture
def acme(http_app: RunningApp) -> Company:
    use_app_database(http_app.database_url)
    return company()


def _files(data_dir: Path, tenant_id: int) -> list[Path]:
    folder = data_dir / "media" / str(tenant_id)
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_voice_notes_stop_at_the_quota(http_app: RunningApp, acme: Company) -> None:
    note = b"\x1aE\xdf\xa3" + b"\x00" * (5 * MB)

    def send() -> httpx.Response:
        return httpx.post(
            f"{http_app.url}/inbox/conversations/{acme.conversation_id}/voice",
            content=note,
            headers={"content-type": "audio/webm", "accept-language": "en-US"},
            cookies={"wa_session": acme.owner_token},
            timeout=60,
        )

    assert send().status_code == 200
    assert send().status_code == 200
    refused = send()
    assert refused.status_code == 413
    assert refused.json()["error"] == translate(
        "en", "media.quota_full", size="5 MB", used="10 MB", quota=f"{TEST_MEDIA_QUOTA_MB} MB"
    )


def test_a_cleared_attachment_leaves_no_file(
    http_app: RunningApp, http_app_dir: Path, acme: Company
) -> None:
    async def pick_then_clear() -> None:
        tab = await Tab(http_app.url).open(acme.owner_token)
        try:
            status, streamed = await tab.upload(
                f"{SCHEDULES}.upload", "promo.png", "image/png", PNG
            )
            assert status == 200 and "promo.png" in streamed
            stored = _files(http_app_dir, acme.owner.tenant_id)
            assert len(stored) == 1 and stored[0].read_bytes() == PNG
            await tab.emit(f"{SCHEDULES}.clear_attachment", {})
        finally:
            await tab.close()

    run_async(pick_then_clear())
    assert _files(http_app_dir, acme.owner.tenant_id) == []


def test_an_attachment_over_the_quota_is_refused(
    http_app: RunningApp, http_app_dir: Path, acme: Company
) -> None:
    document = b"%PDF-1.4\n" + b"0" * ((TEST_MEDIA_QUOTA_MB + 1) * MB)

    async def upload() -> tuple[int, str]:
        tab = await Tab(http_app.url).open(acme.owner_token)
        try:
            return await tab.upload(f"{SCHEDULES}.upload", "big.pdf", "application/pdf", document)
        finally:
            await tab.close()

    status, streamed = run_async(upload())
    assert status == 200
    quota = f"{TEST_MEDIA_QUOTA_MB} MB"
    size = f"{TEST_MEDIA_QUOTA_MB + 1} MB"
    assert translate("pt-BR", "media.quota_full", size=size, used="0 kB", quota=quota) in streamed
    assert _files(http_app_dir, acme.owner.tenant_id) == []


@pytest.mark.browser
@pytest.mark.parametrize(("language", "width"), [("en", 1366), ("pt-BR", 390)])
def test_settings_shows_media_used_of_the_quota(
    page: Page, http_app: RunningApp, language: str, width: int
) -> None:
    sign_up(page, http_app.url, company="Acme", name="Olivia", email=unique_email("quota"))
    if language == "pt-BR":
        page.get_by_label("Language").select_option("pt-BR")
        expect(page.get_by_role("heading", name="Painel")).to_be_visible()
    # On a phone the sidebar (and its language switch) folds behind the menu button.
    page.set_viewport_size({"width": width, "height": 768 if width > 1000 else 844})
    page.goto(f"{http_app.url}/settings")
    expected = translate(language, "settings.media_usage", used="0 kB", quota="12 MB")
    expect(page.get_by_test_id("media-usage")).to_have_text(expected)
    title = translate(language, "settings.media_title")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("progressbar", name=title)).to_be_visible()
    page.get_by_test_id("media-usage").scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/h6-settings-media-{language}-{width}.png", full_page=True)


@pytest.mark.browser
def test_an_attendant_sees_the_quota_refusal_and_clearing_deletes_the_file(
    page: Page, http_app: RunningApp, http_app_dir: Path, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_up(page, http_app.url, company="Acme", name="Olivia", email=unique_email("attach"))
    page.get_by_role("link", name="Scheduling").click()
    expect(page.get_by_role("heading", name="Scheduling")).to_be_visible()
    picker = page.locator("#sched_media input[type=file]")

    big = tmp_path / "catalogue.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * ((TEST_MEDIA_QUOTA_MB + 1) * MB))
    picker.set_input_files(str(big))
    expect(page.get_by_role("alert")).to_contain_text(
        f"media storage has no room for this file ({TEST_MEDIA_QUOTA_MB + 1} MB)"
    )
    page.screenshot(path="/tmp/h6-sched-quota-en-1366.png")

    small = tmp_path / "promo.png"
    unique = PNG + secrets.token_bytes(16)  # to find this very file on the app's disk
    small.write_bytes(unique)
    picker.set_input_files(str(small))
    expect(page.get_by_test_id("sched-attachment-name")).to_have_text("promo.png")
    stored = [p for p in (http_app_dir / "media").rglob("*.png") if p.read_bytes() == unique]
    assert len(stored) == 1

    page.get_by_role("button", name="Close").click()
    # The name goes away in the same answer that follows the file's deletion.
    expect(page.get_by_test_id("sched-attachment-name")).to_have_count(0)
    assert not stored[0].exists()


@pytest.mark.browser
def test_a_file_over_every_limit_is_refused_in_the_browser_with_a_clear_message(
    page: Page, http_app: RunningApp, tmp_path: Path
) -> None:
    """Over 100 MB the browser does not even send it (the server would answer 413)."""
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_up(page, http_app.url, company="Acme", name="Olivia", email=unique_email("huge"))
    page.get_by_role("link", name="Scheduling").click()
    huge = tmp_path / "film.mp4"
    with huge.open("wb") as out:
        out.truncate(101 * MB)
    page.locator("#sched_media input[type=file]").set_input_files(str(huge))
    expect(page.get_by_text("This file cannot be sent: files up to 100 MB.")).to_be_visible()
    page.screenshot(path="/tmp/h6-sched-too-large-en-1366.png")
