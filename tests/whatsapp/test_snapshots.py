"""Encrypted session snapshots: round trip, private runtime files, tampering, wrong keys."""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlmodel import select

from tests.whatsapp.helpers import (
    add_number,
    connect,
    connect_and_link,
    number,
    random_phone,
    snapshot_blob,
    wait_state,
    wait_until,
)
from whatsapp_saas.db import session_scope
from whatsapp_saas.security.crypto import Keyring, keyring_from_settings
from whatsapp_saas.security.secrets import ENCRYPTED_COLUMNS
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp import state_reasons as reasons
from whatsapp_saas.whatsapp.manager import records
from whatsapp_saas.whatsapp.manager import store_files as runtime
from whatsapp_saas.whatsapp.manager.node import ManagerNode
from whatsapp_saas.whatsapp.manager.snapshots import (
    REASON_TAMPERED,
    REASON_WRONG_KEY,
    SnapshotUnreadable,
    load_snapshot,
    save_snapshot,
)
from whatsapp_saas.whatsapp.models import SessionSnapshot

Nodes = Callable[..., Awaitable[ManagerNode]]
NODE = "node-a"


def _owned_number(tenant_id: int) -> int:
    number_id = add_number(tenant_id)
    records.claim(number_id, NODE, "test")
    return number_id


def test_snapshot_round_trip_is_encrypted_and_bound_to_its_number(tenant_id: int) -> None:
    keyring = keyring_from_settings()
    number_id = _owned_number(tenant_id)
    store = b'{"device_id": "dev_1", "secret": "s3cr3t-device-secret"}'

    assert save_snapshot(number_id, store, NODE, keyring)
    blob = snapshot_blob(number_id)
    assert blob is not None and b"s3cr3t" not in blob and blob.startswith(b"WSE1")
    assert load_snapshot(number_id, keyring) == store

    # The blob moved to another number does not decrypt: the AAD names its row.
    other = _owned_number(tenant_id)
    with session_scope() as session:
        session.add(SessionSnapshot(tenant_id=tenant_id, number_id=other, ciphertext=blob))
    with pytest.raises(SnapshotUnreadable) as caught:
        load_snapshot(other, keyring)
    assert caught.value.reason == REASON_TAMPERED


def test_only_the_owner_writes_and_never_after_logout(tenant_id: int) -> None:
    keyring = keyring_from_settings()
    number_id = _owned_number(tenant_id)
    assert not save_snapshot(number_id, b"x", "someone-else", keyring)
    with session_scope() as session:
        row = records.locked_row(session, number_id=number_id)
        assert row is not None
        row.state = "logged_out"
    assert not save_snapshot(number_id, b"x", NODE, keyring)
    assert snapshot_blob(number_id) is None


def test_snapshot_column_is_covered_by_key_rotation() -> None:
    assert any(c.model is SessionSnapshot and c.column == "ciphertext" for c in ENCRYPTED_COLUMNS)
    column = next(c for c in ENCRYPTED_COLUMNS if c.model is SessionSnapshot)
    assert column.associated_data(SessionSnapshot(tenant_id=1, number_id=42, ciphertext=b"")) == (
        "whatsapp_session:42"
    )


def test_runtime_files_are_private(tmp_path: Path) -> None:
    node_dir = runtime.new_node_dir(runtime.base_runtime_dir(tmp_path / "rt"))
    path = runtime.store_path(node_dir, 7)
    runtime.write_private(path, b"secret store")

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(node_dir).st_mode) == 0o700
    assert runtime.read_store(path) == b"secret store"
    runtime.remove_session_files(node_dir, 7)
    assert not path.exists()


def test_sqlite_stores_are_copied_with_the_backup_api(tmp_path: Path) -> None:
    path = tmp_path / "session.store"
    live = sqlite3.connect(path)
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("CREATE TABLE whatsmeow_device (jid TEXT)")
    live.execute("INSERT INTO whatsmeow_device VALUES ('5511@s.whatsapp.net')")
    live.commit()  # still in the WAL, not in the main file: a plain copy would miss it

    copy = runtime.read_store(path)
    live.close()
    assert copy is not None and copy.startswith(runtime.SQLITE_HEADER)
    restored = tmp_path / "restored.store"
    runtime.write_private(restored, copy)
    rows = sqlite3.connect(restored).execute("SELECT jid FROM whatsmeow_device").fetchall()
    assert rows == [("5511@s.whatsapp.net",)]


def test_dead_nodes_runtime_dirs_are_swept(tmp_path: Path) -> None:
    base = runtime.base_runtime_dir(tmp_path / "rt")
    stale = base / "node-999999-abcd"  # no such pid
    stale.mkdir()
    (stale / "leftover").write_bytes(b"plaintext")
    runtime.new_node_dir(base)
    assert not stale.exists()


def _tamper(number_id: int) -> bytes:
    with session_scope() as session:
        row = session.exec(
            select(SessionSnapshot).where(SessionSnapshot.number_id == number_id)
        ).one()
        data = bytearray(row.ciphertext)
        data[-1] ^= 0x01
        row.ciphertext = bytes(data)
        session.add(row)
        return bytes(data)


async def test_tampered_snapshot_fails_the_number_and_is_never_overwritten(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str
) -> None:
    first = await nodes()
    number_id = await connect_and_link(sim_url, tenant_id, random_phone())
    await first.stop()
    tampered = _tamper(number_id)

    await nodes()
    row = await wait_state(number_id, "failed")
    assert row.state_reason == REASON_TAMPERED and row.desired_state == "stopped"

    connect(tenant_id, number_id)  # the user tries again: still failed, blob intact
    await wait_until(lambda: number(number_id).state == "failed", 10, "failed again")
    assert snapshot_blob(number_id) == tampered


async def test_wrong_key_is_reported_and_the_blob_kept(
    tenant_id: int, use_redis: str, nodes: Nodes, sim_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await nodes()
    number_id = await connect_and_link(sim_url, tenant_id, random_phone())
    await first.stop()
    blob = snapshot_blob(number_id)

    other_key = Keyring(os.urandom(32))
    monkeypatch.setattr(
        "whatsapp_saas.whatsapp.manager.node.keyring_from_settings", lambda: other_key
    )
    await nodes()
    row = await wait_state(number_id, "failed")
    assert row.state_reason == REASON_WRONG_KEY
    assert snapshot_blob(number_id) == blob
    assert base64.b64encode(other_key.current).decode() not in (row.state_reason or "")


def test_long_engine_reasons_fit_the_column(tenant_id: int) -> None:
    number_id = add_number(tenant_id)
    connect(tenant_id, number_id)
    records.apply(number_id, gw.Connected(str(number_id), "+5511999990000", "A" * 300, "j"))
    step, _ = records.apply(number_id, gw.Disconnected(str(number_id), "x" * 2000, True))
    row = number(number_id)
    assert step is not None and row.state_reason is not None and len(row.state_reason) <= 500
    assert reasons.decode(row.state_reason) == reasons.Reason(
        reasons.CONNECTION_LOST, {"detail": "x" * reasons.DETAIL_MAX}
    ), "the engine's words are cut before encoding, so the stored reason stays readable"
    assert row.push_name == "A" * 120
    records.apply(number_id, gw.Disconnected(str(number_id), "x" * 2000, True))
    assert number(number_id).state_at == row.state_at, (
        "same (truncated) reason: no new announcement"
    )
