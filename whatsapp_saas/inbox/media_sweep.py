"""The periodic media sweep: resume downloads, and delete uploads nothing refers to.

Downloads normally start right after ingest commits; this sweep picks up what is still
``pending`` for the numbers whose live sessions this process owns (only the owner can
download: the bytes come through the session).

Uploads are stored the moment a file is picked (a schedule's attachment before the schedule
exists), so a file can end up referenced by no row: an attachment cleared or replaced in the
form, a form never submitted. Files older than a grace period that no row names are deleted;
a younger one may be about to be referenced. Every worker may sweep: deleting twice is safe.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Collection, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from whatsapp_saas.config import get_settings
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.media import LocalMediaStore, MediaNotFound, MediaStore, media_store
from whatsapp_saas.inbox.media_download import MediaDownloader
from whatsapp_saas.inbox.models import Message

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 30.0
ORPHAN_SWEEP_EVERY_S = 3600.0


async def sweep_once(downloader: MediaDownloader | None, number_ids: Collection[int]) -> int:
    if downloader is None or not number_ids:
        return 0
    return await downloader.sweep(number_ids)


async def sweep_forever(
    downloader: MediaDownloader | None,
    owned_numbers: Callable[[], Collection[int]],
    every: float = SWEEP_EVERY_S,
) -> None:
    """``downloader``: the ingest pipeline's (the process graph's); None sweeps orphans only."""
    next_orphan_sweep = time.monotonic()
    while True:
        await asyncio.sleep(every)
        try:
            tried = await sweep_once(downloader, owned_numbers())
            if tried:
                log.info("media sweep resumed %d downloads", tried)
            if time.monotonic() >= next_orphan_sweep:
                next_orphan_sweep = time.monotonic() + ORPHAN_SWEEP_EVERY_S
                removed = await asyncio.to_thread(sweep_unreferenced)
                if removed:
                    log.info("media sweep deleted %d unreferenced files", removed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("media sweep failed; next try in %.0f s", every)


# --- unreferenced uploads -------------------------------------------------------------------


def referencing_columns() -> list[sa.Column[Any]]:
    """Every column that holds a media key: a file named in one of them is kept."""
    from whatsapp_saas.automations.files import AutomationFile
    from whatsapp_saas.scheduling.models import ScheduledMessage

    tables: list[sa.Table] = [Message.__table__, ScheduledMessage.__table__]  # type: ignore[attr-defined]
    files: sa.Table = AutomationFile.__table__  # type: ignore[attr-defined]
    return [*(table.c.media_storage_key for table in tables), files.c.storage_key]


def referenced_keys(session: Session, *, tenant_id: int) -> set[str]:
    keys: set[str] = set()
    for column in referencing_columns():
        table = column.table
        query = select(column).where(table.c.tenant_id == tenant_id, column.is_not(None))
        keys.update(str(key) for key in session.exec(query))
    return keys


def is_referenced(session: Session, *, tenant_id: int, key: str) -> bool:
    for column in referencing_columns():
        query = select(column).where(column.table.c.tenant_id == tenant_id, column == key)
        if session.exec(query.limit(1)).first() is not None:
            return True
    return False


def delete_if_unreferenced(tenant_id: int, key: str, store: MediaStore | None = None) -> bool:
    """Delete ``key`` now if no row refers to it (a cleared attachment); True if deleted."""
    with session_scope() as session:
        if is_referenced(session, tenant_id=tenant_id, key=key):
            return False
    try:
        (store or media_store()).delete(tenant_id, key)
    except MediaNotFound:  # not a key of this tenant: nothing of ours to delete
        return False
    return True


def sweep_unreferenced(
    grace: timedelta | None = None, store: MediaStore | None = None, now: float | None = None
) -> int:
    """Delete files older than ``grace`` that no row names; returns how many went."""
    store = store or media_store()
    if not isinstance(store, LocalMediaStore):
        return 0
    grace = grace if grace is not None else timedelta(hours=get_settings().media_orphan_grace_hours)
    cutoff = (now if now is not None else time.time()) - grace.total_seconds()
    removed = 0
    for tenant_id, folder in _tenant_folders(store.root):
        with session_scope() as session:
            keep = referenced_keys(session, tenant_id=tenant_id)
        for path in _old_files(folder, cutoff):
            key = path.relative_to(store.root).as_posix()
            if key not in keep:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def _tenant_folders(root: Path) -> Iterator[tuple[int, Path]]:
    if not root.is_dir():
        return
    for entry in os.scandir(root):
        if entry.is_dir(follow_symlinks=False) and entry.name.isdigit():
            yield int(entry.name), Path(entry.path)


def _old_files(folder: Path, cutoff: float) -> Iterator[Path]:
    """Files (and half-written ``.part-`` leftovers) last changed before ``cutoff``."""
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath) / name
            try:
                if path.stat(follow_symlinks=False).st_mtime < cutoff:
                    yield path
            except FileNotFoundError:
                continue
