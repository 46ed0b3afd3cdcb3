"""Where media files live: a small interface, and local files under ``<data_dir>/media``.

Keys are tenant-scoped (``<tenant_id>/<yyyy>/<mm>/<random>.<ext>``) and every read checks the
tenant, so a key copied from another tenant opens nothing. An S3-compatible store implements
the same three methods.
"""

from __future__ import annotations

import abc
import mimetypes
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from whatsapp_saas.config import Settings, get_settings
from whatsapp_saas.errors import UserError
from whatsapp_saas.models_base import utcnow

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MediaLimit:
    max_bytes: int
    mimetypes: frozenset[str]  # exact types, or "type/*" prefixes


# WhatsApp's own limits for what it accepts per kind (documents up to 100 MB).
LIMITS: dict[str, MediaLimit] = {
    "image": MediaLimit(5 * MB, frozenset({"image/jpeg", "image/png", "image/webp"})),
    "sticker": MediaLimit(500 * 1024, frozenset({"image/webp"})),
    "audio": MediaLimit(16 * MB, frozenset({"audio/*"})),
    "voice": MediaLimit(
        16 * MB,
        frozenset(
            {"audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/webm", "audio/opus"}
        ),
    ),
    "video": MediaLimit(
        16 * MB, frozenset({"video/mp4", "video/3gpp", "video/quicktime", "video/webm"})
    ),
    "document": MediaLimit(100 * MB, frozenset({"*"})),
}
INBOUND_MAX_BYTES = 100 * MB  # what we accept from the engine, whatever the kind


def check_media(kind: str, mimetype: str, size: int) -> None:
    """Raise a UserError the UI can show when a file breaks the limits for its kind."""
    limit = LIMITS.get(kind)
    if limit is None:
        raise UserError("error.inbox_media_kind_invalid", kind=kind)
    if size <= 0:
        raise UserError("error.inbox_media_empty")
    if size > limit.max_bytes:
        raise UserError(
            "error.inbox_media_too_large",
            kind=kind,
            limit_mb=_mb(limit.max_bytes),
            size_mb=_mb(size),
        )
    if not _type_allowed(limit, mimetype):
        raise UserError("error.inbox_media_type_not_allowed", kind=kind, mimetype=mimetype)


def _type_allowed(limit: MediaLimit, mimetype: str) -> bool:
    base = mimetype.split(";", 1)[0].strip().lower()
    major = base.split("/", 1)[0]
    return "*" in limit.mimetypes or base in limit.mimetypes or f"{major}/*" in limit.mimetypes


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


class MediaStore(abc.ABC):
    """Blocking calls: async callers run them in a thread."""

    @abc.abstractmethod
    def put(self, tenant_id: int, data: bytes, *, mimetype: str, filename: str | None) -> str:
        """Store ``data``; returns the key to save on the message."""

    @abc.abstractmethod
    def get(self, tenant_id: int, key: str) -> bytes:
        """The bytes under ``key``; MediaNotFound if missing or another tenant's."""

    @abc.abstractmethod
    def delete(self, tenant_id: int, key: str) -> None: ...


class MediaNotFound(LookupError):
    pass


def new_key(tenant_id: int, mimetype: str, filename: str | None) -> str:
    ext = Path(filename).suffix.lower() if filename else ""
    if not ext or len(ext) > 10 or not ext[1:].isalnum():
        ext = mimetypes.guess_extension(mimetype.split(";", 1)[0].strip()) or ".bin"
    now = utcnow()
    return f"{tenant_id}/{now:%Y}/{now:%m}/{secrets.token_hex(16)}{ext}"


class LocalMediaStore(MediaStore):
    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or get_settings().effective_media_dir).resolve()

    def path_for(self, tenant_id: int, key: str) -> Path:
        """The file for ``key``, refusing other tenants' keys and any path escape."""
        if not key.startswith(f"{tenant_id}/"):
            raise MediaNotFound(key)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root / str(tenant_id)):
            raise MediaNotFound(key)
        return path

    def put(self, tenant_id: int, data: bytes, *, mimetype: str, filename: str | None) -> str:
        key = new_key(tenant_id, mimetype, filename)
        path = self.path_for(tenant_id, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file, a crash leaves only a temp file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, tenant_id: int, key: str) -> bytes:
        path = self.path_for(tenant_id, key)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise MediaNotFound(key) from exc

    def delete(self, tenant_id: int, key: str) -> None:
        self.path_for(tenant_id, key).unlink(missing_ok=True)


def media_store(settings: Settings | None = None) -> MediaStore:
    """The store the settings name (local files under ``MEDIA_DIR``).

    Built on each call, not cached: it holds nothing but its root, and the settings decide it,
    so every caller of one process agrees with the store in the process graph
    (:attr:`whatsapp_saas.bootstrap.App.media_store`) without a module-level singleton.
    """
    return LocalMediaStore((settings or get_settings()).effective_media_dir)
