"""Downloading inbound media after the message is committed, with retries.

Text never waits for media: the message row exists (``media_status = "pending"``) before the
first byte is fetched. Each attempt is counted on the row (``media_attempts``, ``media_error``),
so the UI shows what is happening and a restart continues where it stopped. After the last
attempt the row says ``failed``; :func:`whatsapp_saas.inbox.service.retry_media` re-arms it.

The fetch itself needs the live session, so it is a pluggable :data:`MediaFetcher` that the
connection manager provides (it owns the sessions).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass

import sqlalchemy as sa

from whatsapp_saas.db import announce_after_commit, session_scope
from whatsapp_saas.inbox.events import MessageMediaUpdated
from whatsapp_saas.inbox.media import INBOUND_MAX_BYTES, MediaStore, media_store
from whatsapp_saas.inbox.models import MediaStatus, Message, MessageType
from whatsapp_saas.whatsapp.gateway import MediaKind, MediaRef

log = logging.getLogger(__name__)

MediaFetcher = Callable[[int, MediaRef], Awaitable[bytes]]  # (number_id, ref) -> the bytes
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]
ERROR_MAX = 500


@dataclass(frozen=True, slots=True)
class MediaJob:
    message_id: int
    tenant_id: int
    number_id: int
    ref: MediaRef
    attempts: int


class MediaTooLarge(Exception):
    pass


def load_job(message_id: int) -> MediaJob | None:
    """The download still to do for this message, or None (done, failed for good, or gone)."""
    with session_scope() as session:
        row = session.get(Message, message_id)
        if row is None or row.media_status != MediaStatus.PENDING.value or not row.media_locator:
            return None
        ref = MediaRef(
            kind=MediaKind(row.media_kind or MediaKind.DOCUMENT.value),
            mimetype=row.media_mimetype or "application/octet-stream",
            locator=row.media_locator,
            filename=row.media_filename,
            size=row.media_size,
            voice_note=row.type == MessageType.VOICE.value,
        )
        return MediaJob(message_id, row.tenant_id, row.number_id, ref, row.media_attempts)


def record_stored(message_id: int, key: str, size: int) -> None:
    _update(
        message_id,
        media_status=MediaStatus.STORED.value,
        media_storage_key=key,
        media_size=size,
        media_error=None,
    )


def record_failure(message_id: int, error: str, final: bool) -> None:
    status = MediaStatus.FAILED if final else MediaStatus.PENDING
    _update(
        message_id,
        media_status=status.value,
        media_error=error[:ERROR_MAX],
        media_attempts=MESSAGES.c.media_attempts + 1,
    )


def _update(message_id: int, **values: object) -> None:
    with session_scope() as session:
        stmt = (
            sa.update(MESSAGES)
            .where(MESSAGES.c.id == message_id)
            .where(MESSAGES.c.media_status == MediaStatus.PENDING.value)
            .values(**values)
            .returning(
                MESSAGES.c.tenant_id,
                MESSAGES.c.conversation_id,
                MESSAGES.c.media_status,
                MESSAGES.c.media_error,
                MESSAGES.c.media_attempts,
            )
        )
        row = session.execute(stmt).first()
        if row is not None:
            tenant_id, conversation_id, status, error, attempts = row
            announce_after_commit(
                session,
                MessageMediaUpdated(
                    tenant_id, message_id, conversation_id, status, error, attempts
                ),
            )


def pending_media(number_ids: Collection[int] | None, max_attempts: int, limit: int) -> list[int]:
    """Messages whose media is still to fetch (after a restart, or re-armed by a person)."""
    with session_scope() as session:
        query = (
            sa.select(MESSAGES.c.id)
            .where(MESSAGES.c.media_status == MediaStatus.PENDING.value)
            .where(MESSAGES.c.media_attempts < max_attempts)
            .order_by(MESSAGES.c.id)
            .limit(limit)
        )
        if number_ids is not None:
            query = query.where(MESSAGES.c.number_id.in_(list(number_ids)))
        return list(session.execute(query).scalars().all())


class MediaDownloader:
    def __init__(
        self,
        fetcher: MediaFetcher,
        store: MediaStore | None = None,
        *,
        max_attempts: int = 4,
        base_delay: float = 2.0,
        concurrency: int = 4,
    ) -> None:
        self.fetcher = fetcher
        self.store = store
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self._slots = asyncio.Semaphore(concurrency)

    async def download(self, message_id: int) -> str | None:
        """Fetch and store one message's media, retrying; returns the final media status."""
        while True:
            job = await asyncio.to_thread(load_job, message_id)
            if job is None:
                return None
            try:
                async with self._slots:
                    await self._fetch_and_store(job)
                return MediaStatus.STORED.value
            except Exception as exc:
                final = job.attempts + 1 >= self.max_attempts
                log.warning(
                    "media of message %s failed (attempt %d): %s",
                    message_id,
                    job.attempts + 1,
                    _describe(exc),
                )
                await asyncio.to_thread(record_failure, message_id, _describe(exc), final)
                if final:
                    return MediaStatus.FAILED.value
                await asyncio.sleep(self.base_delay * 2**job.attempts)

    async def _fetch_and_store(self, job: MediaJob) -> None:
        data = await self.fetcher(job.number_id, job.ref)
        if len(data) > INBOUND_MAX_BYTES:
            raise MediaTooLarge(f"{len(data)} bytes")
        store = self.store or media_store()
        key = await asyncio.to_thread(
            store.put, job.tenant_id, data, mimetype=job.ref.mimetype, filename=job.ref.filename
        )
        await asyncio.to_thread(record_stored, job.message_id, key, len(data))

    async def sweep(self, number_ids: Collection[int] | None = None, limit: int = 200) -> int:
        """Resume every pending download (of these numbers); returns how many were tried."""
        ids = await asyncio.to_thread(pending_media, number_ids, self.max_attempts, limit)
        await asyncio.gather(*(self.download(message_id) for message_id in ids))
        return len(ids)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
