"""HTTP routes that issue and clear the session cookie, and how the websocket sees it.

How an outside client (a test, the isolation suite, a script) gets a session:

1. ``POST /auth/session`` with a form body ``email=…&password=…``
   (``application/x-www-form-urlencoded``; no ``Origin`` header needed, or the app's own).
   - 200 ``{"ok": true, "user": {...}}`` and ``Set-Cookie: wa_session=<token>; HttpOnly;
     SameSite=Strict; Path=/; Max-Age=…`` (``; Secure`` when ``APP_BASE_URL`` is https).
   - 401 ``{"error": "<translated>"}`` for a wrong password or a disabled account, 429 when
     throttled (per account, per address and per pair; see ``accounts/throttle.py``).
2. Open the websocket (``/_event``, see ``/work/shared/notes/reflex-protocol.md``) with the
   header ``Cookie: wa_session=<token>``. Every handler reads the session from that header;
   there is no client-settable state var for it any more.
3. ``POST /auth/sign-out`` with that cookie revokes the session and clears the cookie
   (303 to ``/login``).

The browser does the same in two steps, because a websocket handler cannot set an HttpOnly
cookie: the sign-in form's handler checks the password and sends back a one-time code (valid
a minute, single use), and the page posts it as ``code=…`` to ``/auth/session``, which answers
303 to the dashboard with the cookie.

CSRF: both routes refuse a request whose ``Origin`` (or, without one, ``Sec-Fetch-Site``) is
not ours; a cross-site page can neither sign a browser into an attacker's account nor out.

The websocket: :class:`SessionRefMiddleware` replaces ``wa_session=<token>`` in the Cookie
header of Reflex's own requests (``/_event``, ``/_upload``) with ``wa_session_ref=<sha256>``,
so the token never reaches Reflex's state (which sits in Redis) — only its hash does, which is
what the database keeps too. A ``wa_session_ref`` sent by a client is always dropped.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.config import get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import normalise_language, translate
from whatsapp_saas.security.tokens import token_hash
from whatsapp_saas.ui import routes as pages
from whatsapp_saas.ui.auth.client_ip import client_ip
from whatsapp_saas.ui.db import in_session

SESSION_COOKIE = "wa_session"
SESSION_REF_COOKIE = "wa_session_ref"
REFLEX_PATHS = ("/_event", "/_upload")
THROTTLED_CODES = frozenset({"error.too_many_attempts", "error.try_again_in_seconds"})
FORM_MAX_BYTES = 16 * 1024


# --- the cookie --------------------------------------------------------------------------------


def _secure() -> bool:
    return get_settings().app_base_url.lower().startswith("https://")


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=get_settings().auth_session_hours * 3600,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure()
    )


# --- CSRF ----------------------------------------------------------------------------------------


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request) -> bool:
    """A browser names the page that sent a POST; it must be ours (or no browser at all)."""
    origin = request.headers.get("origin")
    if origin:
        return _our_origin(request, origin)
    site = request.headers.get("sec-fetch-site")
    return site in (None, "same-origin", "none")


def _our_origin(request: Request, origin: str) -> bool:
    settings = get_settings()
    origin = origin.lower()
    if origin in {_origin_of(settings.app_base_url), _origin_of(str(request.base_url))}:
        return True
    # `reflex run` (development) serves the pages and the backend on two ports of one host.
    return not settings.is_production and urlsplit(origin).hostname == request.url.hostname


def request_ip(request: Request) -> str | None:
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    return client_ip(peer, forwarded, get_settings().trusted_proxy_hops)


def _page(request: Request, path: str) -> str:
    """A page of ours: back where the form was (when that is ours), else ``APP_BASE_URL``."""
    origin = request.headers.get("origin")
    base = origin if origin and _our_origin(request, origin) else get_settings().app_base_url
    return base.rstrip("/") + path


def _user_json(user: accounts.CurrentUser) -> dict[str, Any]:
    return {
        "id": user.user_id,
        "tenant_id": user.tenant_id,
        "email": user.email,
        "role": user.role,
    }


async def _form(request: Request) -> FormData | None:
    if int(request.headers.get("content-length") or 0) > FORM_MAX_BYTES:
        return None
    return await request.form(max_files=0, max_fields=8)


# --- routes --------------------------------------------------------------------------------------


async def create_session(request: Request) -> Response:
    """``code=…`` (the browser, after its sign-in form) or ``email=…&password=…`` (clients)."""
    if not same_origin(request):
        return JSONResponse({"error": "cross-site request refused"}, status_code=403)
    form = await _form(request)
    if form is None:
        return JSONResponse({"error": "request too large"}, status_code=413)
    ip = request_ip(request)
    code = str(form.get("code") or "")
    if code:
        return await _redeem(request, code, ip)
    email, password = str(form.get("email") or ""), str(form.get("password") or "")
    try:
        issued = await in_session(
            lambda s: accounts.sign_in(s, email=email, password=password, ip=ip)
        )
    except UserError as err:
        status = 429 if err.code in THROTTLED_CODES else 401
        language = normalise_language(request.headers.get("accept-language"))
        text = translate(language, err.code, **err.params)
        return JSONResponse({"error": text, "code": err.code}, status_code=status)
    response = JSONResponse({"ok": True, "user": _user_json(issued.user)})
    set_session_cookie(response, issued.token)
    return response


async def _redeem(request: Request, code: str, ip: str | None) -> Response:
    try:
        issued = await in_session(lambda s: accounts.redeem_sign_in_code(s, code=code, ip=ip))
    except UserError:
        return RedirectResponse(_page(request, pages.LOGIN), status_code=303)
    response = RedirectResponse(_page(request, pages.DASHBOARD), status_code=303)
    set_session_cookie(response, issued.token)
    return response


async def end_session(request: Request) -> Response:
    if not same_origin(request):
        return JSONResponse({"error": "cross-site request refused"}, status_code=403)
    token = request.cookies.get(SESSION_COOKIE)
    await in_session(lambda s: accounts.sign_out(s, token=token))
    response = RedirectResponse(_page(request, pages.LOGIN), status_code=303)
    clear_session_cookie(response)
    return response


def auth_routes() -> list[Route]:
    return [
        Route("/auth/session", create_session, methods=["POST"]),
        Route("/auth/sign-out", end_session, methods=["POST"]),
    ]


# --- what Reflex sees ----------------------------------------------------------------------------


def _rewrite_cookie_header(value: str) -> str:
    """Drop the token (and any forged ref); add the token's hash as ``wa_session_ref``."""
    kept: list[str] = []
    ref = ""
    for part in value.split(";"):
        name, _, content = part.strip().partition("=")
        if name == SESSION_COOKIE:
            ref = token_hash(content) if content else ""
        elif name and name != SESSION_REF_COOKIE:
            kept.append(part.strip())
    if ref:
        kept.append(f"{SESSION_REF_COOKIE}={ref}")
    return "; ".join(kept)


def session_ref_from_cookie_header(value: str | None) -> str | None:
    """The ref the middleware put in the websocket's Cookie header, if any."""
    for part in (value or "").split(";"):
        name, _, content = part.strip().partition("=")
        if name == SESSION_REF_COOKIE and content:
            return content
    return None


class SessionRefMiddleware:
    """Reflex's requests carry the session token's hash, never the token (see the module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(REFLEX_PATHS):
            scope = dict(scope)
            scope["headers"] = _rewritten_headers(scope.get("headers", []))
        await self.app(scope, receive, send)


def _rewritten_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    cookies = [v.decode("latin-1") for k, v in headers if k.lower() == b"cookie"]
    others = [(k, v) for k, v in headers if k.lower() != b"cookie"]
    if not cookies:
        return others
    rewritten = _rewrite_cookie_header("; ".join(cookies))
    return [*others, (b"cookie", rewritten.encode("latin-1"))] if rewritten else others
