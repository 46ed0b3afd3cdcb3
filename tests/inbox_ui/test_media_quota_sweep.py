"""Disk filling: the per-tenant media quota, and the sweep that deletes unreferenced uploads.

Files are made the way the pages make them (a reply with a file, a schedule's attachment
stored at once, an attachment picked and then abandoned), on real PostgreSQL and files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import media_dir
from tests.http_security.live import company
from whatsapp_saas.config import reset_settings_cache
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import translate
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.media import MB, LocalMediaStore
from whatsapp_saas.inbox.media_quota import check_room, human_size, usage
from whatsapp_saas.inbox.media_sweep import delete_if_unreferenced, sweep_unreferenced
from whatsapp_saas.scheduling import schedules
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui import upload_guard

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 1024
DAY = 24 * 3600


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalMediaStore]:
    with media_dir(tmp_path / "media") as local:
        yield local


@pytest.fixture
def small_quota(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MEDIA_QUOTA_MB", "1")
    reset_settings_cache()
    yield
    monkeypatch.delenv("MEDIA_QUOTA_MB")
    reset_settings_cache()


def _age(store: LocalMediaStore, tenant_id: int, key: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(store.path_for(tenant_id, key), (then, then))


def test_usage_counts_every_file_of_the_tenant_and_the_quota_stops_the_next(
    db: str, store: LocalMediaStore, small_quota: None
) -> None:
    acme, beta = company(), company()
    tenant = acme.owner.tenant_id
    store.put(tenant, b"x" * (600 * 1024), mimetype="image/png", filename="a.png")
    store.put(beta.owner.tenant_id, b"y" * (900 * 1024), mimetype="image/png", filename="b.png")

    assert usage(tenant).used == 600 * 1024 and usage(tenant).quota == MB
    check_room(tenant, 400 * 1024)  # exactly fits
    with pytest.raises(UserError) as refused:
        check_room(tenant, 500 * 1024)
    assert translate("en", refused.value.code, **refused.value.params) == (
        "Your company's media storage has no room for this file (500 kB): 600 kB of 1 MB used. "
        "Remove old attachments or ask for a larger quota."
    )
    assert human_size(5 * MB // 2) == "2.5 MB" and human_size(2048 * MB) == "2 GB"


@pytest.mark.parametrize("policy", [upload_guard.MEDIA, upload_guard.AUTOMATION_MEDIA])
def test_every_stored_upload_counts_against_the_quota(
    db: str, store: LocalMediaStore, small_quota: None, policy: upload_guard.UploadPolicy
) -> None:
    """The inbox's attachments and the files automations send share the tenant's quota."""
    acme = company()
    store.put(acme.owner.tenant_id, b"x" * (900 * 1024), mimetype="image/png", filename="a.png")
    with pytest.raises(UserError):
        upload_guard._check_quota(acme.owner, policy, 200 * 1024)
    upload_guard._check_quota(acme.owner, upload_guard.CSV, 200 * 1024)  # a CSV is not kept


def test_the_sweep_deletes_old_unreferenced_uploads_only(db: str, store: LocalMediaStore) -> None:
    acme = company()
    tenant = acme.owner.tenant_id
    with session_scope() as session:
        scope = TenantScope(session, tenant)
        reply = inbox.enqueue_media_reply(
            scope,
            actor=acme.owner,
            conversation_id=acme.conversation_id,
            data=PNG,
            mimetype="image/png",
        )
        attached = schedules.store_media(
            scope, data=PNG, mimetype="image/png", filename="promo.png"
        )
        schedules.create_schedule(
            scope,
            actor=acme.owner,
            number_id=acme.number_id,
            contact_id=acme.contact_id,
            when_local=datetime.now() + timedelta(days=2),
            text="Promo",
            media=attached,
        )
        abandoned = schedules.store_media(
            scope, data=PNG, mimetype="image/png", filename="never-sent.png"
        )
        fresh = schedules.store_media(
            scope, data=PNG, mimetype="image/png", filename="being-scheduled.png"
        )
    assert reply.media_storage_key is not None
    for key in (reply.media_storage_key, attached.storage_key, abandoned.storage_key):
        _age(store, tenant, key, 3 * DAY)

    assert sweep_unreferenced(grace=timedelta(days=1)) == 1

    assert not store.path_for(tenant, abandoned.storage_key).exists()
    for kept in (reply.media_storage_key, attached.storage_key, fresh.storage_key):
        assert store.path_for(tenant, kept).is_file()


def test_a_cleared_attachment_is_deleted_unless_something_refers_to_it(
    db: str, store: LocalMediaStore
) -> None:
    acme = company()
    tenant = acme.owner.tenant_id
    with session_scope() as session:
        scope = TenantScope(session, tenant)
        picked = schedules.store_media(scope, data=PNG, mimetype="image/png", filename="picked.png")
        reply = inbox.enqueue_media_reply(
            scope,
            actor=acme.owner,
            conversation_id=acme.conversation_id,
            data=PNG,
            mimetype="image/png",
        )
    assert reply.media_storage_key is not None

    assert delete_if_unreferenced(tenant, picked.storage_key)
    assert not store.path_for(tenant, picked.storage_key).exists()
    assert not delete_if_unreferenced(tenant, reply.media_storage_key)
    assert store.path_for(tenant, reply.media_storage_key).is_file()
    assert not delete_if_unreferenced(tenant + 1, reply.media_storage_key)  # not its key
