"""``/_upload`` and request bodies, attacked from outside a running app.

A stranger's 300 MB upload is refused before the body is read and the worker's memory does
not grow; a signed-in user's file over WhatsApp's limit for its kind is refused with a
translated error before the handler reads it; a body over a route's cap is cut off, whether
it declares its length or streams it in chunks.
"""

from __future__ import annotations

import json
import secrets
import select
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser.conftest import RunningApp
from tests.http_security.live import (
    AUTO_FILES,
    BOUNDARY,
    CAMPAIGNS,
    COMPOSER,
    SCHEDULES,
    UPLOAD_HANDLERS,
    Company,
    Tab,
    app_rss,
    company,
    multipart_form,
    multipart_head,
    run_async,
    use_app_database,
)
from whatsapp_saas.i18n import translate
from whatsapp_saas.inbox.media import MB

pytestmark = pytest.mark.slow

HUGE = 300 * MB
CHUNK = 256 * 1024
RSS_GROWTH_MAX = 20 * MB


@pytest.fixture(scope="module")
def acme(http_app: RunningApp) -> Company:
    use_app_database(http_app.database_url)
    return company()


# --- raw HTTP: a body streamed in chunks, stopping when the server answers -------------------


@dataclass
class Answer:
    status: int
    body: bytes
    sent: int  # body bytes the server took before it answered


def _chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def stream_upload(
    url: str, headers: dict[str, str], size: int, on_chunk: Iterator[None] | None = None
) -> Answer:
    """POST ``size`` bytes of a file to ``/_upload`` with chunked encoding (no length given)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=60)
    lines = [
        "POST /_upload HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        "Transfer-Encoding: chunked",
        *[f"{k}: {v}" for k, v in headers.items()],
    ]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    sent = 0
    filler = secrets.token_bytes(CHUNK)
    try:
        sock.sendall(_chunked(multipart_head("big.bin", "application/octet-stream")))
        while sent < size:
            if select.select([sock], [], [], 0)[0]:
                break  # the server answered already
            sock.sendall(_chunked(filler))
            sent += CHUNK
            if on_chunk is not None:
                next(on_chunk, None)
        else:
            sock.sendall(_chunked(f"\r\n--{BOUNDARY}--\r\n".encode()) + b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    return Answer(*_read_response(sock), sent)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    try:
        while b"\r\n\r\n" not in data or len(data) < 12:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        sock.settimeout(2)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _upload_headers(handler: str, session_token: str | None = None) -> dict[str, str]:
    headers = {
        "reflex-client-token": secrets.token_hex(16),
        "reflex-event-handler": handler,
        "Accept-Language": "en-US",
    }
    if session_token:
        headers["Cookie"] = f"wa_session={session_token}"
    return headers


# --- the memory test ------------------------------------------------------------------------


def test_a_strangers_300_mb_upload_is_refused_and_memory_stays_flat(http_app: RunningApp) -> None:
    before = app_rss(http_app.url)
    assert before, "the app's processes were not found"
    peak = dict(before)

    def sample() -> Iterator[None]:
        while True:
            for pid, rss in app_rss(http_app.url).items():
                peak[pid] = max(peak.get(pid, 0), rss)
            for _ in range(32):  # every 8 MB sent
                yield None

    answer = stream_upload(http_app.url, _upload_headers(f"{COMPOSER}.upload"), HUGE, sample())
    for pid, rss in app_rss(http_app.url).items():
        peak[pid] = max(peak.get(pid, 0), rss)

    assert answer.status == 401
    assert json.loads(answer.body)["error"] == translate("en", "auth.session_ended")
    assert answer.sent < HUGE
    growth = {pid: peak[pid] - before.get(pid, 0) for pid in peak}
    assert max(growth.values()) < RSS_GROWTH_MAX, growth


def test_parallel_stranger_uploads_do_not_add_up(http_app: RunningApp) -> None:
    before = app_rss(http_app.url)
    handlers = [*UPLOAD_HANDLERS, f"{COMPOSER}.upload"]
    with ThreadPoolExecutor(max_workers=len(handlers)) as pool:
        answers = list(
            pool.map(lambda h: stream_upload(http_app.url, _upload_headers(h), HUGE), handlers)
        )
    assert [a.status for a in answers] == [401] * len(handlers)
    after = app_rss(http_app.url)
    assert max(after[pid] - before.get(pid, 0) for pid in after) < RSS_GROWTH_MAX


def test_a_declared_300_mb_body_is_refused_before_reading(http_app: RunningApp) -> None:
    parts = urlsplit(http_app.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        request = (
            "POST /_upload HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {HUGE}\r\n"
            f"reflex-client-token: {secrets.token_hex(16)}\r\n"
            f"reflex-event-handler: {SCHEDULES}.upload\r\n"
            "Accept-Language: pt-BR\r\n\r\n"
        )
        sock.sendall(request.encode())  # and not one byte of the body
        status, body = _read_response(sock)
    assert status == 413
    assert json.loads(body)["error"] == "Esta requisição é grande demais (o limite é 100 MB)."


def test_every_route_caps_its_body(http_app: RunningApp) -> None:
    declared = httpx.post(f"{http_app.url}/healthz", content=b"x" * (2 * MB))
    assert declared.status_code == 413


def test_a_streamed_body_past_the_cap_is_cut_off(http_app: RunningApp, acme: Company) -> None:
    """Signed in, so the gate lets it start; 120 MB streamed in chunks, no length declared."""
    headers = _upload_headers(f"{COMPOSER}.upload", session_token=acme.owner_token)
    answer = stream_upload(http_app.url, headers, 120 * MB)
    assert answer.status == 413
    assert json.loads(answer.body)["error"] == translate("en", "http.body_too_large", limit_mb=100)
    assert answer.sent < 120 * MB


# --- signed-in uploads ----------------------------------------------------------------------


def _upload_in_tab(
    url: str, handler: str, session_token: str, filename: str, content_type: str, data: bytes
) -> tuple[int, str]:
    async def upload() -> tuple[int, str]:
        tab = await Tab(url).open(session_token)
        try:
            return await tab.upload(handler, filename, content_type, data)
        finally:
            await tab.close()

    return run_async(upload())


def test_an_image_over_5_mb_is_refused_with_a_clear_error(
    http_app: RunningApp, acme: Company
) -> None:
    big_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * (6 * MB)
    status, streamed = _upload_in_tab(
        http_app.url, f"{SCHEDULES}.upload", acme.owner_token, "photo.png", "image/png", big_png
    )
    assert status == 200
    error = translate("pt-BR", "error.inbox_media_too_large", kind="image", limit_mb=5, size_mb=6)
    assert error in streamed, streamed[:500]
    assert "attachment_rx_state_" not in streamed  # nothing was stored or shown as attached


def test_an_agent_cannot_load_a_campaign_csv(http_app: RunningApp, acme: Company) -> None:
    csv = b"phone,name\n+5511988887777,Maria\n"
    status, streamed = _upload_in_tab(
        http_app.url, f"{CAMPAIGNS}.load_csv_file", acme.agent_token, "list.csv", "text/csv", csv
    )
    assert status == 403
    assert json.loads(streamed)["error"] == translate("pt-BR", "error.permission_denied")
    status, streamed = _upload_in_tab(
        http_app.url, f"{CAMPAIGNS}.load_csv_file", acme.owner_token, "list.csv", "text/csv", csv
    )
    assert status == 200 and "Maria" in streamed


@pytest.mark.parametrize("handler", UPLOAD_HANDLERS)
def test_no_session_no_upload(http_app: RunningApp, handler: str) -> None:
    response = httpx.post(
        f"{http_app.url}/_upload",
        content=multipart_form("a.txt", "text/plain", b"hello"),
        headers={
            "content-type": f"multipart/form-data; boundary={BOUNDARY}",
            **_upload_headers(handler, session_token="made-up-token"),
        },
    )
    assert response.status_code == 401


def test_only_a_manager_uploads_a_file_for_automations(http_app: RunningApp, acme: Company) -> None:
    pdf = b"%PDF-1.4\n" + b"0" * 1024
    handler = f"{AUTO_FILES}.upload_file"
    status, streamed = _upload_in_tab(
        http_app.url, handler, acme.agent_token, "tabela.pdf", "application/pdf", pdf
    )
    assert status == 403
    assert json.loads(streamed)["error"] == translate("pt-BR", "error.permission_denied")
    status, streamed = _upload_in_tab(
        http_app.url, handler, acme.owner_token, "tabela.pdf", "application/pdf", pdf
    )
    assert status == 200 and "tabela.pdf" in streamed
