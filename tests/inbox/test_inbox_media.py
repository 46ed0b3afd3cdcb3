"""Media: stored after commit, never blocking text; failures retried and visible on the row."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import Recorder, World
from inbox_helpers import image, inbound, messages

from tests.conftest import current_graph
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox import service
from whatsapp_saas.inbox.events import MessageMediaUpdated
from whatsapp_saas.inbox.ingest_pipeline import IngestPipeline
from whatsapp_saas.inbox.media import LocalMediaStore, MediaNotFound, check_media, media_store
from whatsapp_saas.inbox.media_download import MediaDownloader
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.gateway import MediaRef, SessionNotRunning


class FlakyFetcher:
    """Fails ``failures`` times, then returns the bytes; can be held to prove text isn't blocked."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[tuple[int, str]] = []
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, number_id: int, ref: MediaRef) -> bytes:
        self.calls.append((number_id, ref.locator))
        await self.release.wait()
        if len(self.calls) <= self.failures:
            raise SessionNotRunning("the session is reconnecting")
        return b"JPEG:" + ref.locator.encode()


def _pipeline(fetcher: FlakyFetcher, attempts: int = 3) -> IngestPipeline:
    downloader = MediaDownloader(fetcher, max_attempts=attempts, base_delay=0.01)
    return IngestPipeline(bus=current_graph().bus, downloader=downloader)


async def test_media_is_stored_after_the_text_is_committed(
    world: World, recorder: Recorder
) -> None:
    a = world.a
    fetcher = FlakyFetcher()
    fetcher.release.clear()  # hold the download
    pipeline = _pipeline(fetcher)
    await pipeline.submit(inbound(a.tenant_id, a.number_id, text="my receipt", media=image("m1")))
    while not fetcher.calls:
        await asyncio.sleep(0.01)
    [row] = messages()  # the message is there while its media is still downloading
    assert (row.caption, row.media_status) == ("my receipt", "pending")
    fetcher.release.set()
    await pipeline.flush()
    [row] = messages()
    assert row.media_status == "stored" and row.media_storage_key
    assert row.media_storage_key.startswith(f"{a.tenant_id}/")
    assert media_store().get(a.tenant_id, row.media_storage_key) == b"JPEG:m1"
    assert row.media_size == len(b"JPEG:m1")
    assert [e.media_status for e in recorder.of(MessageMediaUpdated)] == ["stored"]
    with session_scope() as session:
        data, mimetype, _ = service.media_of(
            TenantScope(session, a.tenant_id), actor=a.owner, message_id=row.id
        )  # type: ignore[arg-type]
    assert (data, mimetype) == (b"JPEG:m1", "image/jpeg")
    await pipeline.stop()


async def test_failures_are_retried_and_visible(world: World, recorder: Recorder) -> None:
    a = world.a
    fetcher = FlakyFetcher(failures=2)
    pipeline = _pipeline(fetcher, attempts=3)
    await pipeline.submit(inbound(a.tenant_id, a.number_id, media=image("m2")))
    await pipeline.flush()
    [row] = messages()
    assert (row.media_status, row.media_attempts) == ("stored", 2)
    updates = [(e.media_status, e.attempts) for e in recorder.of(MessageMediaUpdated)]
    assert updates == [("pending", 1), ("pending", 2), ("stored", 2)]
    await pipeline.stop()


async def test_permanent_failure_then_manual_retry(world: World) -> None:
    a = world.a
    fetcher = FlakyFetcher(failures=2)
    pipeline = _pipeline(fetcher, attempts=2)
    await pipeline.submit(inbound(a.tenant_id, a.number_id, media=image("m3")))
    await pipeline.flush()
    [row] = messages()
    assert (row.media_status, row.media_attempts) == ("failed", 2)
    assert row.media_error and "reconnecting" in row.media_error
    with session_scope() as session:
        service.retry_media(TenantScope(session, a.tenant_id), actor=a.owner, message_id=row.id)  # type: ignore[arg-type]
    assert pipeline.downloader is not None
    assert await pipeline.downloader.sweep(number_ids=[a.number_id]) == 1
    assert messages()[0].media_status == "stored"
    with pytest.raises(UserError), session_scope() as session:
        service.retry_media(TenantScope(session, a.tenant_id), actor=a.owner, message_id=row.id)  # type: ignore[arg-type]
    await pipeline.stop()


def test_the_store_is_tenant_scoped(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    key = store.put(7, b"data", mimetype="application/pdf", filename="contract.pdf")
    assert key.startswith("7/") and key.endswith(".pdf")
    assert store.get(7, key) == b"data"
    for tenant, bad_key in [(8, key), (7, "7/../8/x.pdf"), (7, "/etc/passwd")]:
        with pytest.raises(MediaNotFound):
            store.get(tenant, bad_key)


@pytest.mark.parametrize(
    ("kind", "mimetype", "size", "code"),
    [
        ("image", "image/jpeg", 6 * 1024 * 1024, "error.inbox_media_too_large"),
        ("voice", "application/pdf", 10, "error.inbox_media_type_not_allowed"),
        ("document", "application/zip", 0, "error.inbox_media_empty"),
        ("hologram", "x/y", 10, "error.inbox_media_kind_invalid"),
    ],
)
def test_limits(kind: str, mimetype: str, size: int, code: str) -> None:
    with pytest.raises(UserError) as err:
        check_media(kind, mimetype, size)
    assert err.value.code == code
    check_media("document", "application/zip", 10)
    check_media("voice", "audio/ogg; codecs=opus", 10)
