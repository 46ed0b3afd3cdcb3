"""CORS from outside a running app: only the app's own origin (APP_BASE_URL) gets answers
that carry the user's cookies, on /media, the voice upload, /_upload and the websocket."""

from __future__ import annotations

import httpx
import pytest
import socketio

from tests.browser.conftest import RunningApp
from tests.http_security.live import run_async
from whatsapp_saas.config import Settings, allowed_origins

pytestmark = pytest.mark.slow

EVIL = "https://evil.example"
ROUTES = ["/media/1", "/inbox/conversations/1/voice", "/_upload"]


@pytest.mark.parametrize("path", ROUTES)
def test_a_foreign_origin_gets_no_cors_grant(http_app: RunningApp, path: str) -> None:
    preflight = httpx.options(
        http_app.url + path,
        headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = httpx.get(http_app.url + path, headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in simple.headers


@pytest.mark.parametrize("path", ROUTES)
def test_the_apps_own_origin_is_granted(http_app: RunningApp, path: str) -> None:
    preflight = httpx.options(
        http_app.url + path,
        headers={"Origin": http_app.url, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["access-control-allow-origin"] == http_app.url
    assert preflight.headers["access-control-allow-credentials"] == "true"


def test_the_websocket_refuses_a_foreign_origin(http_app: RunningApp) -> None:
    async def connect(origin: str) -> bool:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(
                f"{http_app.url}?token=00000000-0000-4000-8000-000000000000",
                headers={"Origin": origin},
                socketio_path="/_event",
                namespaces=["/_event"],
                transports=["websocket"],
                wait_timeout=10,
            )
        except socketio.exceptions.ConnectionError:
            return False
        await client.disconnect()
        return True

    assert run_async(connect(http_app.url))
    assert not run_async(connect(EVIL))


def test_only_app_base_url_is_allowed_outside_development() -> None:
    production = Settings(
        app_env="production",
        app_base_url="https://desk.example.com/app",
        database_url="postgresql://db/app",
        redis_url="redis://r",
        whatsapp_driver="neonize",
    )
    assert allowed_origins(production) == ["https://desk.example.com"]
    test = Settings(app_env="test", app_base_url="http://127.0.0.1:4321")
    assert allowed_origins(test) == ["http://127.0.0.1:4321"]
    development = Settings(app_env="development", app_base_url="http://localhost:3000")
    assert allowed_origins(development) == ["http://localhost:3000", "http://127.0.0.1:3000"]
