"""Optional ``--state-file``: the network survives a simulator restart.

Device changes are written at once (a restarted simulator must recognise every linked device);
message traffic is written at most every quarter second, so a hard kill can lose the last
moments of inbox history, much as a phone that dies mid-sync would.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from whatsapp_saas.simulator.model import Device, Media, Phone
from whatsapp_saas.simulator.network import Network

log = logging.getLogger(__name__)

VERSION = 1
DEBOUNCE_SECONDS = 0.25


def snapshot(net: Network) -> dict[str, Any]:
    return {
        "version": VERSION,
        "devices": [d.to_dict() for d in net.devices.values()],
        "phones": [p.to_dict() for p in net.phones.values()],
        "media": [m.to_dict() for m in net.media.values()],
        "lids": net.lids,
    }


def restore(net: Network, data: dict[str, Any]) -> None:
    net.media = {m["media_id"]: Media.from_dict(m) for m in data.get("media", [])}
    net.devices = {d["device_id"]: Device.from_dict(d) for d in data.get("devices", [])}
    net.phones = {p["number"]: Phone.from_dict(p, net.media) for p in data.get("phones", [])}
    net.lids = dict(data.get("lids", {}))


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StateFile:
    """Loads the network from ``path`` and keeps the file up to date."""

    def __init__(self, path: Path, net: Network) -> None:
        self.path = path
        self.net = net
        self._timer: asyncio.TimerHandle | None = None

    def load(self) -> None:
        if self.path.exists() and self.path.stat().st_size > 0:
            restore(self.net, json.loads(self.path.read_text(encoding="utf-8")))
            log.info("simulator state loaded from %s", self.path)
        self.net.on_change = self.changed

    def changed(self, urgent: bool) -> None:
        if urgent:
            self.save()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(DEBOUNCE_SECONDS, self.save)

    def save(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            write_atomically(self.path, json.dumps(snapshot(self.net)))
        except OSError:
            log.exception("could not write simulator state to %s", self.path)
