"""Issue 8, items 5 and 7: a chosen or pasted file opens a preview (caption, Send / Cancel);
audio goes out as an OGG/Opus push-to-talk note with its duration."""

from __future__ import annotations

import base64
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, Playwright, expect

from tests.browser.composer_helpers import (
    composer_box,
    inbox_with_customers,
    open_chat,
    received,
)
from tests.browser.conftest import CHROMIUM_ARGS, RunningApp, app_copy, live_app_process
from tests.browser.test_inbox_flow import PNG, _wait_for

pytestmark = pytest.mark.browser

FILE_INPUT = "#inbox-upload input[type=file]"


def _media(app: RunningApp, phone: str) -> list[dict]:
    return [m for m in received(app, phone) if m.get("media")]


def _sim_media(app: RunningApp, media_id: str) -> bytes:
    with urllib.request.urlopen(f"{app.simulator_url}/sim/media/{media_id}", timeout=10) as r:
        return bytes(r.read())


def _seconds_of(data: bytes) -> int:
    """What the phone would show: the file's own duration, rounded, at least one second."""
    command = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    with tempfile.NamedTemporaryFile(suffix=".ogg") as file:  # ffprobe seeks to the end
        file.write(data)
        file.flush()
        out = subprocess.run([*command, file.name], capture_output=True, check=True).stdout
    return max(1, round(float(out.strip())))


def _paste_png(page: Page) -> None:
    page.locator("textarea#composer").evaluate(
        """(box, b64) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], "image.png", { type: "image/png" }));
            box.focus();
            box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
        }""",
        base64.b64encode(PNG).decode(),
    )


def test_a_chosen_or_pasted_file_waits_for_send_in_a_preview(
    page: Page, live_app: RunningApp, tmp_path: Path
) -> None:
    phones = inbox_with_customers(page, live_app, "Bia").phones
    open_chat(page, "Bia")
    image = tmp_path / "pao.png"
    image.write_bytes(PNG)
    preview = page.get_by_test_id("attach-preview")

    page.locator(FILE_INPUT).set_input_files(str(image))
    expect(preview).to_be_visible()
    expect(preview.get_by_test_id("attach-file-name")).to_have_text("pao.png")
    expect(preview.get_by_test_id("attach-preview-image")).to_be_visible()
    preview.get_by_role("button", name="Cancel").click()
    expect(preview).to_have_count(0)

    page.locator(FILE_INPUT).set_input_files(str(image))
    preview.get_by_label("Add a caption").fill("Pão saindo do forno")
    page.screenshot(path="/tmp/h1-composer-preview.png")
    assert _media(live_app, phones["Bia"]) == []  # nothing is sent before Send
    preview.get_by_role("button", name="Send").click()
    expect(preview).to_have_count(0)
    _wait_for(lambda: len(_media(live_app, phones["Bia"])) == 1)
    sent = _media(live_app, phones["Bia"])[0]
    assert (sent["media"]["kind"], sent["text"]) == ("image", "Pão saindo do forno")

    _paste_png(page)
    expect(preview).to_be_visible()
    expect(preview.get_by_test_id("attach-file-name")).to_have_text("image.png")
    preview.get_by_role("button", name="Send").click()
    _wait_for(lambda: len(_media(live_app, phones["Bia"])) == 2)
    expect(composer_box(page)).to_be_focused()


def _webm_recording(name: str, seconds: int = 2) -> FilePayload:
    """What Chromium's recorder makes: WebM/Opus, stereo (named audio/webm, not video/webm)."""
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"]
    command += [f"sine=frequency=440:duration={seconds}", "-ac", "2", "-c:a", "libopus"]
    data = subprocess.run([*command, "-f", "webm", "-"], capture_output=True, check=True).stdout
    return {"name": name, "mimeType": "audio/webm", "buffer": data}


def test_audio_reaches_the_phone_as_an_ogg_opus_voice_note(
    page: Page, live_app: RunningApp
) -> None:
    phones = inbox_with_customers(page, live_app, "Caio").phones
    open_chat(page, "Caio")
    page.locator(FILE_INPUT).set_input_files(_webm_recording("recado.webm"))
    preview = page.get_by_test_id("attach-preview")
    expect(preview).to_contain_text("Audio is sent as a voice note.")
    preview.get_by_role("button", name="Send").click()
    _wait_for(lambda: len(_media(live_app, phones["Caio"])) == 1)
    [note] = _media(live_app, phones["Caio"])
    media = note["media"]
    assert media["mimetype"] == "audio/ogg; codecs=opus"
    assert media["ptt"] is True
    assert media["seconds"] == 2 == _seconds_of(_sim_media(live_app, note["media_id"]))
    assert media["kind"] == "audio"

    # Not audio ffmpeg can read: the message says so, and the original file stays on it.
    broken: FilePayload = {
        "name": "quebrado.webm",
        "mimeType": "audio/webm",
        "buffer": b"\x1aE\xdf\xa3 not really webm",
    }
    page.locator(FILE_INPUT).set_input_files(broken)
    preview.get_by_role("button", name="Send").click()
    expect(page.get_by_text("could not be converted into a WhatsApp voice note")).to_be_visible()
    assert len(_media(live_app, phones["Caio"])) == 1


@pytest.fixture(scope="module")
def voice_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """An app of its own: this test drives a second Chromium (fake microphone), whose socket
    could not reach the shared app after the whole suite had run against it."""
    root = app_copy(tmp_path_factory.mktemp("voiceroot") / "app")
    with live_app_process(tmp_path_factory.mktemp("voiceapp"), root) as app:
        yield app


def test_a_note_recorded_in_the_browser_reaches_the_phone_as_ogg_opus(
    playwright: Playwright, voice_app: RunningApp
) -> None:
    """Chromium records WebM/Opus from a fake microphone; the phone gets an OGG/Opus PTT."""
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
        ],
    )
    try:
        context = browser.new_context(locale="en-US")
        context.grant_permissions(["microphone"], origin=voice_app.url)
        page = context.new_page()
        phones = inbox_with_customers(page, voice_app, "Duda").phones
        open_chat(page, "Duda")
        page.get_by_role("button", name="Record voice note").click()
        stop = page.get_by_role("button", name="Stop recording")
        expect(stop).to_be_visible()
        page.wait_for_timeout(2500)  # a voice note of about two seconds
        stop.click()
        _wait_for(lambda: len(_media(voice_app, phones["Duda"])) == 1)
        [note] = _media(voice_app, phones["Duda"])
        media = note["media"]
        assert (media["mimetype"], media["ptt"]) == ("audio/ogg; codecs=opus", True)
        assert media["seconds"] == _seconds_of(_sim_media(voice_app, note["media_id"]))
    finally:
        browser.close()
