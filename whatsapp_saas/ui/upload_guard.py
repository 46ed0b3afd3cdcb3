"""What an upload handler checks before it reads a byte: session, role, size and quota.

Reflex spools a ``/_upload`` body to temporary files and only then calls the handler; whatever
the handler reads is in memory. So there are two gates, both driven by the policy a handler
declares with :func:`accepts`:

- before the body (``whatsapp_saas.ui.http_limits.UploadGate``): a live session cookie, the
  role, and a body cap for that handler, counted while the body streams in;
- in the handler (:func:`refusal`): the session again (the cookie could be another tab's),
  the role, each file's real size against WhatsApp's limit for its kind (taken from the
  spooled file without reading it), and the tenant's media quota.

A handler's edit is a decorator and two lines::

    @rx.event
    @upload_guard.accepts(upload_guard.MEDIA)
    async def upload(self, files: list[rx.UploadFile]) -> None:
        self.error = await upload_guard.refusal(self, files, upload_guard.MEDIA)
        if self.error:
            return
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import reflex as rx

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.media import LIMITS, MB, check_media
from whatsapp_saas.inbox.media_quota import check_room
from whatsapp_saas.inbox.media_sweep import delete_if_unreferenced
from whatsapp_saas.inbox.replies import media_type_for
from whatsapp_saas.ui.base_state import AppState

POLICY_MARKER = "_wa_upload_policy"
# Multipart framing (boundaries, part headers, file names) on top of the files themselves.
MULTIPART_SLACK = 256 * 1024

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class UploadPolicy:
    name: str  # "media" or "csv"
    max_bytes: int  # the largest single file this handler can accept
    managers_only: bool = False

    @property
    def body_cap(self) -> int:
        return self.max_bytes + MULTIPART_SLACK


# Media by kind (image 5 MB, audio/video 16 MB, document 100 MB, sticker 500 kB): the cap on
# the body is the largest kind; each file is checked against its own kind in refusal().
MEDIA = UploadPolicy("media", max(limit.max_bytes for limit in LIMITS.values()))
CSV = UploadPolicy("csv", 20 * MB, managers_only=True)
# The files automations send (uploaded on the Automations page, which is a manager's).
AUTOMATION_MEDIA = UploadPolicy("media", MEDIA.max_bytes, managers_only=True)


def accepts(policy: UploadPolicy) -> Callable[[F], F]:
    """Declare the policy of an upload handler (read by the gate before the body)."""

    def mark(handler: F) -> F:
        setattr(handler, POLICY_MARKER, policy)
        return handler

    return mark


def drop_rejected(catalog: Any, policy: UploadPolicy) -> Callable[[Any], Any]:
    """``on_drop_rejected`` for ``rx.upload(max_size=policy.max_bytes)``: a translated toast.

    The browser refuses a file over the cap before sending it (the server would answer 413,
    which Reflex's upload only logs to the console).
    """
    text = catalog["upload.file_too_large"].replace("{limit_mb}", _mb(policy.max_bytes))
    return lambda _rejected: rx.toast.error(text)


def policy_of(handler: Callable[..., Any]) -> UploadPolicy | None:
    found = getattr(handler, POLICY_MARKER, None)
    return found if isinstance(found, UploadPolicy) else None


async def refusal(state: AppState, files: Sequence[rx.UploadFile], policy: UploadPolicy) -> str:
    """A translated reason to refuse these files, or ``""`` to go ahead. Reads no file data."""
    user = await state._current_user()
    if user is None:
        state._forget()
        return state._tr("auth.session_ended")
    if policy.managers_only and not user.is_manager:
        return state._tr("error.permission_denied")
    try:
        sizes = [_check_file(file, policy) for file in files]
        await asyncio.to_thread(_check_quota, user, policy, sum(sizes))
    except UserError as err:
        return state._error_text(err)
    return ""


async def discard_attachment(state: AppState, key: str) -> None:
    """Delete an attachment the form let go of (kept if a row already refers to it)."""
    user = await state._current_user()
    if user is not None and key:
        await asyncio.to_thread(delete_if_unreferenced, user.tenant_id, key)


def _check_file(file: rx.UploadFile, policy: UploadPolicy) -> int:
    size = spooled_size(file)
    if policy is CSV:
        if size > CSV.max_bytes:
            raise UserError("upload.csv_too_large", size_mb=_mb(size), limit_mb=_mb(CSV.max_bytes))
        return size
    mimetype = file.content_type or "application/octet-stream"
    check_media(media_type_for(mimetype).value, mimetype, size)
    return size


def _check_quota(user: CurrentUser, policy: UploadPolicy, incoming: int) -> None:
    if policy is not CSV:  # every file but a CSV is stored; a CSV only fills a text box
        check_room(user.tenant_id, incoming)


def spooled_size(file: rx.UploadFile) -> int:
    """The file's real size: counted by the multipart parser, or the spool file's length."""
    if file.size is not None:
        return file.size
    handle = file.file
    position = handle.tell()
    try:
        return handle.seek(0, os.SEEK_END)
    finally:
        handle.seek(position)


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")
