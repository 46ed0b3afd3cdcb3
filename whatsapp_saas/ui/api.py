"""Extra HTTP routes beside Reflex's own: health checks and inbox media."""

from __future__ import annotations

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from whatsapp_saas.db import get_engine
from whatsapp_saas.ui.auth.session_routes import SessionRefMiddleware, auth_routes
from whatsapp_saas.ui.media_routes import media_routes


async def health(_request: Request) -> JSONResponse:
    """Liveness plus a database round trip, for load balancers and the test harness."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # pragma: no cover - reported, not raised
        return JSONResponse({"status": "error", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok"})


def build_api() -> Starlette:
    return Starlette(
        routes=[Route("/healthz", health), *auth_routes(), *media_routes()],
        # The session token never reaches Reflex's state: its websocket sees only the hash.
        middleware=[Middleware(SessionRefMiddleware)],
    )
