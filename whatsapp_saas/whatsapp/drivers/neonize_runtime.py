"""Process-wide plumbing for neonize: one contained import, one engine lock, the bot-tag check.

Three facts about neonize 0.5.2 shape this module:

* Importing any ``neonize`` module (even a protobuf class) loads the Go library, calls
  ``logging.basicConfig(INFO)`` on the root logger and starts a log thread. :func:`load_neonize`
  does the import once, puts the root logger back the way it was and quiets neonize's loggers
  (the level of ``neonize.utils.log`` is also the level the Go side logs at).
* The Go side keeps its clients in plain maps with no locking. Any neonize call racing a
  connect or stop of another client can kill the process with ``concurrent map read and map
  write``, which Python cannot catch. Every neonize call therefore goes through
  :data:`ENGINE_LOCK`: shared for calls that only look a client up, exclusive for the calls
  that add or remove clients (connect registration, ``Stop``).
* The Go runtime copies the environment once, from the block the process was *launched* with;
  setting ``os.environ`` afterwards changes nothing it sees (checked with
  ``GODEBUG=inittrace=1``). ``NEONIZE_BOT_TAG`` (on by default: every 1:1 message carries
  ``<bot biz_bot="1"/>`` and shows an "AI" label) must be ``off`` in the launch environment.
  :func:`engine_bot_tag_disabled` reads what the engine really sees (``/proc/self/environ``).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

ENGINE_ENV: dict[str, str] = {"NEONIZE_BOT_TAG": "off"}
"""Environment a process hosting neonize sessions must be launched with."""

_BOT_TAG_OFF_VALUES = frozenset({"off", "none", "false", "0"})
_NEONIZE_LOGGERS = ("neonize", "neonize.utils.log", "whatsmeow", "Whatsmeow")

# Children launched from this process (session hosts) inherit the right value. It does not
# help this process itself; see the module docstring.
for _key, _value in ENGINE_ENV.items():
    os.environ.setdefault(_key, _value)

_import_lock = threading.Lock()
_neonize: ModuleType | None = None


def load_neonize(log_level: int = logging.WARNING) -> ModuleType:
    """Import neonize once, undoing its root-logger side effect; return the package."""
    global _neonize
    with _import_lock:
        if _neonize is not None:
            return _neonize
        root = logging.getLogger()
        handlers_before, level_before = list(root.handlers), root.level
        import neonize  # the import itself is what this function contains

        # ``neonize.utils.log`` is shadowed by a logger of the same name in ``neonize.utils``.
        neonize_log = sys.modules.get("neonize.utils.log")
        added = getattr(neonize_log, "stream_handler", None)
        if not handlers_before and added in root.handlers:
            root.removeHandler(added)
            root.setLevel(level_before)
        for name in _NEONIZE_LOGGERS:
            logging.getLogger(name).setLevel(log_level)
        module: ModuleType = neonize
        _neonize = module
        return module


def set_engine_log_level(level: int) -> None:
    """Level for neonize's Python loggers; the Go side picks it up at the next connect."""
    for name in _NEONIZE_LOGGERS:
        logging.getLogger(name).setLevel(level)


def launch_environment() -> dict[str, str]:
    """The environment block this process was started with (what the Go runtime sees)."""
    try:
        raw = Path("/proc/self/environ").read_bytes()
    except OSError:  # not Linux: fall back to the live environment
        return dict(os.environ)
    env: dict[str, str] = {}
    for entry in raw.split(b"\0"):
        key, sep, value = entry.partition(b"=")
        if sep:
            env[key.decode(errors="replace")] = value.decode(errors="replace")
    return env


def engine_bot_tag_disabled() -> bool:
    """Whether the engine will leave the ``<bot biz_bot="1"/>`` node off 1:1 messages."""
    value = launch_environment().get("NEONIZE_BOT_TAG", "")
    return value.strip().lower() in _BOT_TAG_OFF_VALUES


class EngineLock:
    """A read/write lock whose exclusive side may be released by another thread.

    Shared holders run together; an exclusive holder runs alone; a waiting exclusive request
    blocks new shared holders so a stream of calls cannot starve a connect or stop. Shared
    acquisition is re-entrant per thread. The exclusive side is not re-entrant and, unlike an
    ``RLock``, is not owned by a thread: a connect takes it on the session thread and the first
    engine callback (on the engine's thread) gives it back.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0
        self._local = threading.local()

    def acquire_shared(self) -> None:
        depth = getattr(self._local, "depth", 0)
        with self._cond:
            if depth == 0:
                while self._writer or self._writers_waiting:
                    self._cond.wait()
            self._readers += 1
        self._local.depth = depth + 1

    def release_shared(self) -> None:
        self._local.depth = getattr(self._local, "depth", 1) - 1
        with self._cond:
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()

    def acquire_exclusive(self, timeout: float | None = None) -> bool:
        if getattr(self._local, "depth", 0):
            raise RuntimeError("exclusive engine lock requested while holding it shared")
        with self._cond:
            self._writers_waiting += 1
            try:
                ok = self._cond.wait_for(lambda: not self._writer and not self._readers, timeout)
                if ok:
                    self._writer = True
                return ok
            finally:
                self._writers_waiting -= 1
                if not self._writers_waiting:
                    self._cond.notify_all()

    def release_exclusive(self) -> None:
        with self._cond:
            if not self._writer:
                raise RuntimeError("exclusive engine lock released but not held")
            self._writer = False
            self._cond.notify_all()

    @contextmanager
    def shared(self) -> Iterator[None]:
        self.acquire_shared()
        try:
            yield
        finally:
            self.release_shared()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        self.acquire_exclusive()
        try:
            yield
        finally:
            self.release_exclusive()


ENGINE_LOCK = EngineLock()
"""The one lock every neonize call in this process goes through."""
