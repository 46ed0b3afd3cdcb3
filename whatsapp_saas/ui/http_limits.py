"""ASGI middleware that bounds what a request may make the server hold, before the app runs.

- :class:`BodyLimit`: every route has a body cap. A declared ``Content-Length`` over it is
  answered 413 without reading; a chunked body is counted as it streams and cut off (413)
  the moment it passes the cap, and the app sees a disconnect.
- :class:`UploadGate`: ``POST /_upload`` needs a live session (and the handler's role) before
  Reflex sees the request, so a stranger cannot even make it spool a file to disk; a small
  refused body is read and dropped so the client gets the answer, not a connection reset.

Caps: an upload handler's own policy (``whatsapp_saas.ui.upload_guard``), the voice-note
route's 16 MB, an automation webhook's 64 KB, and 1 MB for anything else (forms, JSON).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from reflex.constants import Endpoint
from reflex_base.config import get_config
from reflex_base.environment import environment
from reflex_base.registry import RegistrationContext
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations.hook_service import PATH_PREFIX as HOOK_PREFIX
from whatsapp_saas.i18n import normalise_language, translate
from whatsapp_saas.inbox.media import MB
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.media_routes import SESSION_COOKIE, VOICE_MAX_BYTES
from whatsapp_saas.ui.upload_guard import MULTIPART_SLACK, UploadPolicy, policy_of

DEFAULT_CAP = 1 * MB
HOOK_CAP = 64 * 1024  # an automation webhook's JSON notification, not a file
VOICE_CAP = VOICE_MAX_BYTES + MULTIPART_SLACK
DISCARD_MAX = 1 * MB  # a refused upload body read and dropped so the answer reaches the client

CapFor = Callable[[Scope], int]


def upload_path() -> str:
    return str(get_config().prepend_backend_path(str(Endpoint.UPLOAD)))


def is_upload(scope: Scope) -> bool:
    return scope.get("method") == "POST" and scope.get("path") == upload_path()


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def upload_policy(scope: Scope) -> UploadPolicy | None:
    """The policy the handler named in ``reflex-event-handler`` declared (None if unknown)."""
    try:
        handlers = RegistrationContext.get().event_handlers
    except LookupError:  # outside a Reflex app (a bare Starlette app in a test)
        return None
    registered = handlers.get(header(scope, b"reflex-event-handler"))
    return None if registered is None else policy_of(registered.handler.fn)


def app_caps(scope: Scope) -> int:
    """The body cap of this app's routes."""
    if is_upload(scope):
        policy = upload_policy(scope)
        return policy.body_cap if policy is not None else DEFAULT_CAP
    path = str(scope.get("path", ""))
    if path.startswith("/inbox/conversations/") and path.endswith("/voice"):
        return VOICE_CAP
    if path.startswith(HOOK_PREFIX):
        return HOOK_CAP
    return DEFAULT_CAP


async def send_error(scope: Scope, send: Send, status: int, key: str, **params: object) -> None:
    language = normalise_language(header(scope, b"accept-language") or None)
    body = json.dumps({"error": translate(language, key, **params)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int:
    """The request's Content-Length, or 0 when it streams without one."""
    declared = header(scope, b"content-length")
    return int(declared) if declared.isdigit() else 0


class BodyLimit:
    def __init__(self, app: ASGIApp, cap_for: CapFor = app_caps) -> None:
        self.app, self.cap_for = app, cap_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope)
        declared = header(scope, b"content-length")
        if declared.isdigit() and int(declared) > cap:
            await self._too_large(scope, send, cap)
            return
        await _CountedRequest(self, scope, receive, send, cap).run()

    @staticmethod
    async def _too_large(scope: Scope, send: Send, cap: int) -> None:
        await send_error(scope, send, 413, "http.body_too_large", limit_mb=max(cap // MB, 1))


class _CountedRequest:
    """One request whose body is counted; past the cap, the app is told the client left."""

    def __init__(
        self, limit: BodyLimit, scope: Scope, receive: Receive, send: Send, cap: int
    ) -> None:
        self.limit, self.scope, self._receive, self._send, self.cap = (
            limit,
            scope,
            receive,
            send,
            cap,
        )
        self.received = 0
        self.started = False  # the app began its response
        self.refused = False  # we answered 413 ourselves

    async def run(self) -> None:
        try:
            await self.limit.app(self.scope, self.receive, self.send)
        except ClientDisconnect:
            if not self.refused:
                raise  # a real disconnect; ours was answered with the 413 already

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.cap:
                self.refused = True
                if not self.started:
                    await BodyLimit._too_large(self.scope, self._send, self.cap)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.refused and not self.started:
            return  # our 413 went out; what the app answers to the "disconnect" is dropped
        self.started = True
        await self._send(message)


Resolve = Callable[[str], Awaitable[CurrentUser | None]]


async def resolve_cookie_session(token: str) -> CurrentUser | None:
    return await in_session(lambda s: accounts.resolve_session(s, token=token))


def frontend_shares_origin() -> bool:
    """Pages and backend on one origin (``reflex run --env prod``): uploads carry the cookie.

    In dev the pages come from another port and Reflex's upload request sends no cookies, so
    there only the handler's own check (``upload_guard.refusal``) applies.
    """
    return bool(environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.get())


class UploadGate:
    def __init__(
        self,
        app: ASGIApp,
        resolve: Resolve = resolve_cookie_session,
        enabled: Callable[[], bool] = frontend_shares_origin,
    ) -> None:
        self.app, self.resolve, self.enabled = app, resolve, enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_upload(scope) and self.enabled():
            refused = await self._refusal(scope)
            if refused is not None:
                if _declared_length(scope) <= DISCARD_MAX:
                    await _discard_body(receive)
                await send_error(scope, send, *refused)
                return
        await self.app(scope, receive, send)

    async def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        policy = upload_policy(scope)
        if policy is None:
            return None  # Reflex answers an unknown handler itself; the body cap is 1 MB
        token = _cookie(header(scope, b"cookie"), SESSION_COOKIE)
        user = await self.resolve(token) if token else None
        if user is None:
            return 401, "auth.session_ended"
        if policy.managers_only and not user.is_manager:
            return 403, "error.permission_denied"
        return None


async def _discard_body(receive: Receive, limit: int = DISCARD_MAX) -> None:
    """Read a small refused body and drop it, so the client gets our answer, not a reset.

    Answering before the body is read makes the server close a socket with unread data, which
    the client sees as a connection reset instead of the 401/403. Up to ``limit`` bytes are
    read and dropped (nothing is kept or spooled); past that the stranger gets the reset.
    """
    taken = 0
    while taken <= limit:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        taken += len(message.get("body", b""))


def _cookie(raw: str, name: str) -> str:
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return unquote(value.strip().strip('"'))
    return ""
