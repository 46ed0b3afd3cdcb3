"""HTTP routes for inbox media: open or download a message's file, and post a voice note.

They sit beside Reflex (see :func:`whatsapp_saas.ui.api.build_api`) because browsers fetch
media with plain ``<img src>`` / ``<audio src>`` and record voice notes as raw bodies, which a
websocket event cannot carry. Auth is the same ``wa_session`` cookie the pages use. A message
the viewer may not see, or another tenant's, is 404 exactly like one that does not exist.
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from whatsapp_saas.accounts import service as accounts
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import normalise_language, translate
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.audio import RecordedAudio, prepare_voice
from whatsapp_saas.inbox.media import (
    LIMITS,
    LocalMediaStore,
    MediaNotFound,
    check_media,
    media_store,
)
from whatsapp_saas.inbox.media_quota import check_room
from whatsapp_saas.inbox.models import MediaStatus
from whatsapp_saas.inbox.replies import enqueue_voice_reply
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.ui.db import in_session
from whatsapp_saas.ui.security_headers import SANDBOX_POLICY

SESSION_COOKIE = "wa_session"
VOICE_MAX_BYTES = LIMITS["voice"].max_bytes
MIMETYPE_MAX = 120  # the width of messages.media_mimetype

# Shown in the page (or a media player) when opened; anything else is always a download, so
# an HTML or SVG file a customer sent can never run script on our origin.
INLINE_TYPES = re.compile(
    r"^(image/(jpeg|png|gif|webp)|audio/[\w.+-]+|video/[\w.+-]+|application/pdf)$"
)
SAFE_MIMETYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;\s*[\w.+-]+=[\w.+\"-]+)*$")


@dataclass(frozen=True, slots=True)
class StoredMedia:
    tenant_id: int
    key: str
    mimetype: str
    filename: str
    path: Path | None = None  # set when the store is local files: streamed from disk


# --- helpers --------------------------------------------------------------------------------


async def _viewer(request: Request) -> CurrentUser | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return await in_session(lambda s: accounts.resolve_session(s, token=token))


def _language(request: Request, user: CurrentUser | None) -> str:
    if user is not None and user.language:
        return user.language
    return normalise_language(request.headers.get("accept-language"))


def _error(
    request: Request, user: CurrentUser | None, status: int, key: str, **params: object
) -> JSONResponse:
    text = translate(_language(request, user), key, **params)
    return JSONResponse({"error": text}, status_code=status)


def _path_id(request: Request, name: str) -> int | None:
    raw = request.path_params.get(name, "")
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 19 else None


def clean_mimetype(value: str | None, default: str = "application/octet-stream") -> str:
    """A header-safe content type that fits the column (parameters dropped if it does not)."""
    text = (value or "").strip()
    if not SAFE_MIMETYPE.match(text):
        return default
    if len(text) > MIMETYPE_MAX:
        text = text.split(";", 1)[0].strip()
    return text.lower() if len(text) <= MIMETYPE_MAX else default


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII fallback with unsafe characters replaced, plus the exact UTF-8 name."""
    fallback = re.sub(r"[^A-Za-z0-9._ ()-]", "_", filename).strip() or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _default_filename(message_id: int, mimetype: str) -> str:
    ext = mimetypes.guess_extension(mimetype.split(";", 1)[0].strip()) or ".bin"
    return f"message-{message_id}{ext}"


# --- GET /media/{message_id} ----------------------------------------------------------------


def _locate(session: Session, user: CurrentUser, message_id: int) -> StoredMedia:
    """The stored file of a message the viewer may see (NotFound / UserError otherwise)."""
    scope = TenantScope(session, user.tenant_id)
    message = inbox.get_message(scope, actor=user, message_id=message_id)
    if message.media_status != MediaStatus.STORED.value or not message.media_storage_key:
        raise UserError("error.inbox_media_unavailable")
    mimetype = clean_mimetype(message.media_mimetype)
    name = message.media_filename or _default_filename(message_id, mimetype)
    key = message.media_storage_key
    return StoredMedia(scope.tenant_id, key, mimetype, name, _local_path(scope.tenant_id, key))


def _local_path(tenant_id: int, key: str) -> Path | None:
    store = media_store()
    if not isinstance(store, LocalMediaStore):
        return None
    path = store.path_for(tenant_id, key)
    if not path.is_file():
        raise MediaNotFound(key)
    return path


def _file_headers(media: StoredMedia, download: bool) -> dict[str, str]:
    inline = not download and INLINE_TYPES.match(media.mimetype.split(";", 1)[0].strip())
    headers = {
        "Content-Disposition": content_disposition(
            "inline" if inline else "attachment", media.filename
        ),
        "X-Content-Type-Options": "nosniff",
        # Files never change under a key; the browser may keep them, shared caches may not.
        "Cache-Control": "private, max-age=86400",
        # PDFs too: a PDF can carry script and forms; sandboxed it runs on no origin.
        "Content-Security-Policy": SANDBOX_POLICY,
    }
    return headers


async def _file_response(media: StoredMedia, download: bool) -> Response:
    headers = _file_headers(media, download)
    if media.path is not None:
        # Streamed from disk in chunks, with Range support for audio and video seeking.
        return FileResponse(media.path, media_type=media.mimetype, headers=headers)
    # Another store (S3 later) hands back bytes: fetch them off the event loop.
    data = await asyncio.to_thread(media_store().get, media.tenant_id, media.key)
    return Response(data, media_type=media.mimetype, headers=headers)


async def media_file(request: Request) -> Response:
    user = await _viewer(request)
    if user is None:
        return _error(request, None, 401, "media.sign_in")
    message_id = _path_id(request, "message_id")
    if message_id is None:
        return _error(request, user, 404, "error.not_found")
    download = request.query_params.get("download") in ("1", "true", "yes")
    try:
        media = await in_session(lambda s: _locate(s, user, message_id))
        return await _file_response(media, download)
    except (NotFound, MediaNotFound):
        return _error(request, user, 404, "error.not_found")
    except UserError as err:
        return _error(request, user, 404, err.code, **err.params)


# --- POST /inbox/conversations/{conversation_id}/voice -------------------------------------


class BodyTooLarge(Exception):
    pass


async def read_capped(request: Request, limit: int) -> bytes:
    """The request body, refusing (early, by Content-Length, or while streaming) past ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _enqueue_voice(
    session: Session, user: CurrentUser, conversation_id: int, audio: RecordedAudio
) -> int:
    scope = TenantScope(session, user.tenant_id)
    message = enqueue_voice_reply(scope, actor=user, conversation_id=conversation_id, audio=audio)
    assert message.id is not None
    return message.id


async def voice_note(request: Request) -> Response:
    user = await _viewer(request)
    if user is None:
        return _error(request, None, 401, "media.sign_in")
    conversation_id = _path_id(request, "conversation_id")
    if conversation_id is None:
        return _error(request, user, 404, "error.not_found")
    mimetype = clean_mimetype(request.headers.get("content-type"), default="")
    try:
        # Refuse a wrong type before reading a byte of the body.
        check_media("voice", mimetype or "application/octet-stream", 1)
        data = await read_capped(request, VOICE_MAX_BYTES)
        await asyncio.to_thread(check_room, user.tenant_id, len(data))
        # To OGG/Opus before the transaction (ffmpeg takes a moment); see inbox.audio.
        audio = await asyncio.to_thread(prepare_voice, data, mimetype)
        message_id = await in_session(lambda s: _enqueue_voice(s, user, conversation_id, audio))
    except BodyTooLarge:
        return _error(
            request, user, 413, "voice.too_large", limit_mb=VOICE_MAX_BYTES // (1024 * 1024)
        )
    except NotFound:
        return _error(request, user, 404, "error.not_found")
    except UserError as err:
        status = 413 if err.code in ("error.inbox_media_too_large", "media.quota_full") else 400
        return _error(request, user, status, err.code, **err.params)
    except ClientDisconnect:
        return Response(status_code=400)
    return JSONResponse({"ok": True, "message_id": message_id})


def media_routes() -> list[Route]:
    return [
        Route("/media/{message_id}", media_file, methods=["GET"]),
        Route("/inbox/conversations/{conversation_id}/voice", voice_note, methods=["POST"]),
    ]
