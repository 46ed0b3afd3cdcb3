"""Private runtime files: where a session's engine store lives while the session runs.

The store is plaintext, so it goes to tmpfs (``/dev/shm``) when available, in directories only
this user can enter (0700) and files only this user can read (0600), and it is deleted when
the session stops. Each manager node gets its own directory so two nodes on one machine never
share a store; directories left by dead nodes are swept at boot.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import sqlite3
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
STORE_NAME = "session.store"


def base_runtime_dir(configured: Path | None = None) -> Path:
    if configured is not None:
        return _private_dir(configured)
    shm = Path("/dev/shm")
    parent = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
    return _private_dir(parent / f"whatsapp_saas-{os.getuid()}")


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def new_node_dir(base: Path) -> Path:
    sweep_dead_nodes(base)
    return _private_dir(base / f"node-{os.getpid()}-{secrets.token_hex(4)}")


def sweep_dead_nodes(base: Path) -> None:
    """Remove store files left behind by nodes that died without cleaning up."""
    for child in base.glob("node-*-*"):
        pid = _pid_of(child.name)
        if pid is not None and pid != os.getpid() and not _alive(pid):
            shutil.rmtree(child, ignore_errors=True)


def _pid_of(name: str) -> int | None:
    try:
        return int(name.split("-")[1])
    except (IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def session_dir(node_dir: Path, number_id: int) -> Path:
    return _private_dir(node_dir / str(number_id))


def store_path(node_dir: Path, number_id: int) -> Path:
    return session_dir(node_dir, number_id) / STORE_NAME


def write_private(path: Path, data: bytes) -> None:
    """Write atomically with mode 0600 from the first byte (no window where others can read)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def read_store(path: Path) -> bytes | None:
    """A consistent copy of the store, or None when the engine has not written one yet.

    SQLite stores are copied with the backup API (consistent even mid-write, WAL included).
    This runs in the MANAGER process: opening the live file with Python's sqlite3 inside the
    engine's process would break the engine's own sqlite locks.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        return path.read_bytes()
    return _sqlite_bytes(path)


def _sqlite_bytes(path: Path) -> bytes:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    target = sqlite3.connect(":memory:")
    try:
        source.backup(target)
        return target.serialize()
    finally:
        source.close()
        target.close()


def remove_session_files(node_dir: Path, number_id: int) -> None:
    shutil.rmtree(node_dir / str(number_id), ignore_errors=True)


def remove_node_dir(node_dir: Path) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(node_dir)
