"""The simulator driver's session store: one small JSON file holding the device credentials.

Absent or empty means "not paired yet". Writes are atomic (temp file + rename) and private
(0600): the manager snapshots this file, and a half-written one must never be what it copies.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

STORE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Credentials:
    device_id: str
    secret: str
    phone: str
    push_name: str
    jid: str


def load_credentials(path: Path) -> Credentials | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    if not text.strip():
        return None
    try:
        data = json.loads(text)
        return Credentials(
            device_id=data["device_id"],
            secret=data["secret"],
            phone=data["phone"],
            push_name=data.get("push_name", ""),
            jid=data.get("jid", ""),
        )
    except (ValueError, KeyError, TypeError):
        # A damaged store cannot log in; starting over with a QR beats failing forever.
        log.warning("simulator store %s is unreadable; treating the session as unpaired", path)
        return None


def save_credentials(path: Path, creds: Credentials) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"version": STORE_VERSION, **asdict(creds)}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
