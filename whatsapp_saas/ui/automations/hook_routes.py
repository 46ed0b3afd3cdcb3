"""``POST /hooks/automations/{token}``: the inbound URL of a "Webhook received" rule.

Another system (a shop, a CRM, a form) calls it server to server; there is no session cookie.
The caller authenticates with the rule's secret (``X-Webhook-Secret``) or an HMAC-SHA256
signature of the body (``X-Signature: sha256=<hex>``); the request is accepted (202) once its
event is committed, and the rule's actions run in the automations' durable subscriber. Answers
are JSON: 401 (no or wrong secret), 404 (unknown or disabled rule), 413 (body over
``http_limits.HOOK_CAP``, 64 KB), 422 (bad input, naming the field), 429 (over the rule's
rate), 202 (accepted). See ``automations.hooks`` for the body's shape.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from whatsapp_saas.automations import hook_service, hooks
from whatsapp_saas.automations.hook_service import HookRefused, HookRequest
from whatsapp_saas.i18n import normalise_language, translate
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.ui.db import in_session

log = logging.getLogger(__name__)

PATH = hook_service.PATH_PREFIX + "{token}"


def _refusal(request: Request, refused: HookRefused) -> JSONResponse:
    language = normalise_language(request.headers.get("accept-language"))
    body: dict[str, object] = {
        "error": refused.code.rsplit(".", 1)[-1].removeprefix("error_"),
        "message": translate(language, refused.code, **refused.params),
    }
    if refused.field:
        body["field"] = refused.field
    headers = {"retry-after": "60"} if refused.status == 429 else None
    return JSONResponse(body, status_code=refused.status, headers=headers)


async def receive(request: Request) -> JSONResponse:
    try:
        body = await request.body()
    except ClientDisconnect:
        return JSONResponse({"error": "disconnected"}, status_code=400)
    hook_request = HookRequest(
        token=str(request.path_params.get("token", "")),
        body=body,
        given_secret=request.headers.get(hooks.SECRET_HEADER, ""),
        signature=request.headers.get(hooks.SIGNATURE_HEADER, ""),
        idempotency_key=request.headers.get(hooks.IDEMPOTENCY_HEADER, ""),
    )
    keyring = keyring_from_settings()
    try:
        accepted = await in_session(
            lambda s: hook_service.accept(s, keyring=keyring, request=hook_request)
        )
    except HookRefused as refused:
        # Never the secret or the body: only which rule token and why.
        log.info("automation hook refused: %s (%s)", refused.status, refused.code)
        return _refusal(request, refused)
    return JSONResponse(
        {"status": "accepted", "conversation_id": accepted.conversation_id}, status_code=202
    )


def hook_routes() -> list[Route]:
    return [Route(PATH, receive, methods=["POST"])]
