"""Security headers on every response: a page policy for HTML, a sandbox for everything else.

Pages get a Content-Security-Policy that Reflex's prerendered pages work under: scripts only
from our origin plus the exact inline scripts of that page (their SHA-256 hashes, computed from
the response itself, so a script injected into a page does not run); ``'unsafe-eval'`` because
Reflex runs ``rx.call_script`` code with ``eval``; inline styles because Radix and Emotion
set them. Framing is refused (``frame-ancestors 'none'``).

Any other document a browser could open (a PDF, an image, JSON) is sandboxed with no sources,
unless its route set its own policy. Bodiless answers (304, HEAD) get no policy: a browser
merges a 304's headers into the cached page, and a sandbox there would break the page.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

HTML_BUFFER_MAX = 4 * 1024 * 1024  # prerendered pages are tens of kB
INLINE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
SANDBOX_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


def inline_script_hashes(html: bytes) -> list[str]:
    """``'sha256-…'`` sources for each inline ``<script>`` (with a body and no ``src``)."""
    hashes: list[str] = []
    for match in INLINE_SCRIPT.finditer(html):
        attributes, body = match.group(1), match.group(2)
        if re.search(rb"\bsrc\s*=", attributes) or not body:
            continue
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def page_policy(base_url: str, script_hashes: list[str]) -> str:
    origin = _origin(base_url)
    sockets = _socket_origin(origin)
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self' 'unsafe-eval'", *script_hashes]),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        f"connect-src 'self' {origin} {sockets}".rstrip(),
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def _origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _socket_origin(origin: str) -> str:
    if origin.startswith("https://"):
        return "wss://" + origin.removeprefix("https://")
    if origin.startswith("http://"):
        return "ws://" + origin.removeprefix("http://")
    return ""


def _get(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes:
    for key, value in headers:
        if key.lower() == name:
            return value
    return b""


class SecurityHeaders:
    def __init__(self, app: ASGIApp, base_url: str) -> None:
        self.app, self.base_url = app, base_url
        self.https = base_url.startswith("https://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await _Response(self, scope, send).run(receive)

    def common(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        added = [(k, v) for k, v in COMMON if not _get(headers, k)]
        if self.https and not _get(headers, b"strict-transport-security"):
            added.append((b"strict-transport-security", b"max-age=31536000"))
        return [*headers, *added]


class _Response:
    """One response passing through: headers added, HTML held until its scripts are hashed."""

    def __init__(self, owner: SecurityHeaders, scope: Scope, send: Send) -> None:
        self.owner, self.scope, self._send = owner, scope, send
        self.start: Message | None = None
        self.body: list[bytes] = []
        self.size = 0

    async def run(self, receive: Receive) -> None:
        await self.owner.app(self.scope, receive, self.send)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._on_start(message)
        elif message["type"] == "http.response.body" and self.start is not None:
            await self._on_html_body(message)
        elif message["type"] == "http.response.pathsend" and self.start is not None:
            # The server would send the file itself; a page is small: read it and hash it.
            raw = await asyncio.to_thread(Path(message["path"]).read_bytes)
            await self._on_html_body({"type": "http.response.body", "body": raw})
        else:
            await self._send(message)

    async def _on_start(self, message: Message) -> None:
        headers = list(message.get("headers", []))
        content_type = _get(headers, b"content-type").lower()
        bodiless = self.scope.get("method") == "HEAD" or message["status"] in (204, 304)
        own_policy = bool(_get(headers, b"content-security-policy"))
        if content_type.startswith(b"text/html") and not bodiless and not own_policy:
            # A page. An HTML file from /media keeps its route's sandbox instead.
            self.start = {**message, "headers": headers}  # sent once the body is complete
            return
        headers = self.owner.common(headers)
        if not bodiless and not own_policy:
            headers.append((b"content-security-policy", SANDBOX_POLICY.encode()))
        await self._send({**message, "headers": headers})

    async def _on_html_body(self, message: Message) -> None:
        chunk = message.get("body", b"")
        self.body.append(chunk)
        self.size += len(chunk)
        if message.get("more_body", False) and self.size <= HTML_BUFFER_MAX:
            return
        await self._flush(more_body=bool(message.get("more_body", False)))

    async def _flush(self, *, more_body: bool) -> None:
        assert self.start is not None
        raw = b"".join(self.body)
        headers = self.owner.common(list(self.start["headers"]))
        hashes = self._hashes(headers, raw) if not more_body else []
        policy = page_policy(self.owner.base_url, hashes)
        headers = [(k, v) for k, v in headers if k.lower() != b"content-security-policy"]
        headers += [
            (b"content-security-policy", policy.encode()),
            (b"x-frame-options", b"DENY"),
        ]
        await self._send({**self.start, "headers": headers})
        self.start = None  # later chunks (an oversized page) pass straight through
        await self._send({"type": "http.response.body", "body": raw, "more_body": more_body})

    @staticmethod
    def _hashes(headers: list[tuple[bytes, bytes]], raw: bytes) -> list[str]:
        encoding = _get(headers, b"content-encoding").lower()
        try:
            html = gzip.decompress(raw) if encoding == b"gzip" else raw
        except (OSError, EOFError):
            return []
        if encoding not in (b"", b"gzip", b"identity"):
            log.warning("page served as %r: inline scripts not hashed", encoding)
            return []
        return inline_script_hashes(html)
