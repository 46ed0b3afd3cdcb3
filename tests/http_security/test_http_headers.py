"""Security headers on a running app: pages get a CSP they actually work under (proved in
Chromium: no CSP violation on any page), framing is refused, and every file a browser could
open inline, PDFs included, is sandboxed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import RunningApp
from tests.browser.helpers import sign_in, sign_up, unique_email
from tests.conftest import media_dir
from tests.http_security.live import PASSWORD, Company, company, use_app_database
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.tenancy.scope import TenantScope

pytestmark = pytest.mark.slow

PAGES = ["/", "/login/", "/signup/", "/inbox/", "/scheduling/", "/settings/", "/nowhere/"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (  # a 1x1 transparent PNG
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
OGG = b"OggS" + b"\x00" * 256


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in policy.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_a_policy_and_refuse_framing(http_app: RunningApp, path: str) -> None:
    response = httpx.get(http_app.url + path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == (404 if path == "/nowhere/" else 200)
    assert response.headers["content-type"].startswith("text/html")
    policy = _directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    # Each inline script of this very page is allowed by its hash, nothing else inline.
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.+?)</script>", response.text, re.S)
    hashes = [s for s in policy["script-src"] if s.startswith("'sha256-")]
    assert inline and len(hashes) == len(set(inline))
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_api_answers_are_sandboxed_documents(http_app: RunningApp) -> None:
    response = httpx.get(http_app.url + "/healthz")
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.fixture(scope="module")
def acme(http_app: RunningApp, http_app_dir: Path) -> Iterator[Company]:
    """A company whose files the test writes straight into the app's media folder."""
    use_app_database(http_app.database_url)
    with media_dir(http_app_dir / "media"):
        yield company()


def test_an_inline_pdf_is_sandboxed(http_app: RunningApp, acme: Company) -> None:
    with session_scope() as session:
        scope = TenantScope(session, acme.owner.tenant_id)
        message = inbox.enqueue_media_reply(
            scope,
            actor=acme.owner,
            conversation_id=acme.conversation_id,
            data=PDF,
            mimetype="application/pdf",
            filename="boleto.pdf",
        )
    response = httpx.get(
        f"{http_app.url}/media/{message.id}", cookies={"wa_session": acme.owner_token}
    )
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-disposition"].startswith("inline;")
    policy = _directives(response.headers["content-security-policy"])
    assert "sandbox" in policy and policy["default-src"] == ["'none'"]


# --- in Chromium ----------------------------------------------------------------------------

WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
APP_PAGES = [
    ("Dashboard", ""),
    ("Inbox", "/inbox"),
    ("Scheduling", "/scheduling"),
    ("WhatsApp", "/whatsapp"),
    ("Settings", "/settings"),
    ("Quick replies", "/settings/quick-replies"),
    ("Simulated phone", "/simulator"),
]


@pytest.mark.browser
def test_every_page_works_under_the_policy(page: Page, http_app: RunningApp) -> None:
    """Sign up, then walk every page; any CSP violation or CSP console error fails."""
    console: list[str] = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda err: console.append(str(err)))
    page.add_init_script(WATCH_CSP)
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_up(page, http_app.url, company="Acme", name="Olivia", email=unique_email("csp"))
    for name, path in APP_PAGES:
        page.get_by_role("link", name=name, exact=True).first.click()
        expect(page).to_have_url(re.compile(rf"{http_app.url}{path}/?$"))
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        assert violations == [], f"{path}: {violations}"
    page.reload()  # a full load of a deep page, under its own policy
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    csp_console = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert csp_console == []

    # And the policy bites: a script injected into the page does not run.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__injected") is None
    assert page.evaluate("window.__csp")[0].startswith("script-src")


@pytest.mark.browser
def test_a_conversation_with_media_works_under_the_policy(
    page: Page, http_app: RunningApp, acme: Company
) -> None:
    """Images, audio and a PDF link in a thread: all load, nothing is blocked."""
    with session_scope() as session:
        scope = TenantScope(session, acme.owner.tenant_id)
        for data, mimetype in [(PNG, "image/png"), (OGG, "audio/ogg")]:
            inbox.enqueue_media_reply(
                scope,
                actor=acme.owner,
                conversation_id=acme.conversation_id,
                data=data,
                mimetype=mimetype,
            )
    page.add_init_script(WATCH_CSP)
    sign_in(page, http_app.url, acme.owner.email, PASSWORD)
    # The first paint is in the default language until the account's own arrives.
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible(timeout=20_000)
    page.get_by_role("link", name="Inbox", exact=True).first.click()
    page.get_by_test_id("conversation-item").filter(has_text="Maria").click()
    expect(page.locator("img[src*='/media/']").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
