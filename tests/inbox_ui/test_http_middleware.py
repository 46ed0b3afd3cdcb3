"""The ASGI middleware on its own, in front of a tiny Starlette app: which answers get which
security headers, and how a body past its cap is cut off."""

from __future__ import annotations

import base64
import hashlib

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from whatsapp_saas.ui.http_limits import BodyLimit
from whatsapp_saas.ui.security_headers import SANDBOX_POLICY, SecurityHeaders

PAGE = "<html><head><script>window.a = 1;</script><script src='/x.js'></script></head></html>"


async def page(_request: Request) -> Response:
    return HTMLResponse(PAGE)


async def not_modified(_request: Request) -> Response:
    return Response(status_code=304, headers={"etag": '"1"'})


async def own_policy(_request: Request) -> Response:
    return HTMLResponse("<script>x</script>", headers={"content-security-policy": "sandbox"})


async def echo(request: Request) -> Response:
    return JSONResponse({"size": len(await request.body())})


def _client() -> TestClient:
    app = Starlette(
        routes=[
            Route("/", page),
            Route("/cached", not_modified),
            Route("/file.html", own_policy),
            Route("/echo", echo, methods=["POST"]),
        ],
        middleware=[
            Middleware(SecurityHeaders, base_url="https://desk.example.com/"),
            Middleware(BodyLimit, cap_for=lambda _scope: 1000),
        ],
    )
    return TestClient(app)


def test_a_page_allows_exactly_its_inline_scripts() -> None:
    response = _client().get("/")
    digest = base64.b64encode(hashlib.sha256(b"window.a = 1;").digest()).decode()
    policy = response.headers["content-security-policy"]
    assert f"script-src 'self' 'unsafe-eval' 'sha256-{digest}';" in policy
    assert "connect-src 'self' https://desk.example.com wss://desk.example.com" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert response.text == PAGE


def test_a_not_modified_answer_carries_no_policy() -> None:
    """A browser merges a 304's headers into the cached page: a sandbox there would break it."""
    response = _client().get("/cached")
    assert response.status_code == 304
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_routes_own_policy_is_kept() -> None:
    assert _client().get("/file.html").headers["content-security-policy"] == "sandbox"
    assert _client().post("/echo", content=b"x").headers["content-security-policy"] == (
        SANDBOX_POLICY
    )


def test_bodies_past_the_cap_are_refused_declared_or_streamed() -> None:
    client = _client()
    assert client.post("/echo", content=b"x" * 1000).json() == {"size": 1000}
    assert client.post("/echo", content=b"x" * 1001).status_code == 413

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5):
            yield b"x" * 400

    refused = client.post("/echo", content=chunks())
    assert refused.status_code == 413
    assert "error" in refused.json()
