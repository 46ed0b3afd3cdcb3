"""Processes for the fault tests: taskiq delivery workers and the embedded app, as children
we can SIGTERM or kill -9, plus small readers of the outbox's progress."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Message

ROOT = Path(__file__).resolve().parents[2]
MESSAGES: sa.Table = Message.__table__  # type: ignore[attr-defined]

WORKER_CMD = [
    sys.executable, "-m", "taskiq", "worker", "whatsapp_saas.delivery.worker.broker:broker",
    "whatsapp_saas.delivery.worker.tasks", "--workers", "1", "--max-async-tasks", "300",
    "--max-prefetch", "0", "--log-level", "WARNING", "--wait-tasks-timeout", "10",
    "--shutdown-timeout", "5", "--max-fails", "100",
]  # fmt: skip
APP_CMD = [sys.executable, "-m", "tests.delivery.embedded_app"]
MANAGER_CMD = [sys.executable, "-m", "whatsapp_saas.whatsapp.manager"]


def env_for(**values: Any) -> dict[str, str]:
    """The test's own environment (database, keys) plus ``values`` (None removes a key)."""
    env = dict(os.environ)
    env.setdefault("LOG_LEVEL", "WARNING")
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


class Children:
    def __init__(self, logdir: Path) -> None:
        self.logdir = logdir
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self, cmd: list[str], env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
        log = (self.logdir / f"{name}-{len(self.procs)}.log").open("wb")
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                kill_tree(proc.pid)
                proc.wait(5)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def kill_tree(pid: int) -> None:
    for child in children_of(pid):
        kill_tree(child)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def status_counts(ids: list[int] | None = None) -> Counter[str]:
    query = sa.select(MESSAGES.c.status, sa.func.count()).group_by(MESSAGES.c.status)
    query = query.where(MESSAGES.c.direction == "out")
    if ids is not None:
        query = query.where(MESSAGES.c.id.in_(ids))
    with session_scope() as session:
        return Counter({str(s): int(n) for s, n in session.execute(query).all()})


def log_tail(logdir: Path, lines: int = 30) -> str:
    out = []
    for path in sorted(logdir.glob("*.log")):
        text = path.read_text(errors="replace").splitlines()[-lines:]
        out.append(f"--- {path.name}\n" + "\n".join(text))
    return "\n".join(out)
