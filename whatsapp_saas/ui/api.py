"""Extra HTTP routes beside Reflex's own (health checks, inbox media, automation webhooks),
and the middleware every request passes through: security headers, the upload gate and body caps.

Reflex mounts itself inside this app, so the middleware also covers pages, ``/_upload`` and
``/_event`` (the websocket passes through untouched).
"""

from __future__ import annotations

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from whatsapp_saas.config import get_settings
from whatsapp_saas.db import get_engine
from whatsapp_saas.ui.auth.session_routes import SessionRefMiddleware, auth_routes
from whatsapp_saas.ui.automations.hook_routes import hook_routes
from whatsapp_saas.ui.http_limits import BodyLimit, UploadGate
from whatsapp_saas.ui.media_routes import media_routes
from whatsapp_saas.ui.security_headers import SecurityHeaders


async def health(_request: Request) -> JSONResponse:
    """Liveness plus a database round trip, for load balancers and the test harness."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # pragma: no cover - reported, not raised
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok"})


def middleware() -> list[Middleware]:
    """Outermost first: every answer (even a 413) gets the headers; the cap runs before
    the upload gate's database lookup."""
    return [
        Middleware(SecurityHeaders, base_url=get_settings().app_base_url),
        Middleware(BodyLimit),
        Middleware(UploadGate),
        # Innermost: the upload gate above still sees the session cookie; Reflex's state (its
        # websocket and upload requests) sees only the token's hash.
        Middleware(SessionRefMiddleware),
    ]


def build_api() -> Starlette:
    return Starlette(
        routes=[Route("/healthz", health), *auth_routes(), *media_routes(), *hook_routes()],
        middleware=middleware(),
    )
