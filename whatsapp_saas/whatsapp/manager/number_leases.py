"""One owner per number: leases that die with their node.

- Redis (``REDIS_URL``): ``SET wa:lease:<id> <node> NX PX <ttl>``, renewed in one round trip
  for all held numbers; a dead node's leases expire after the TTL.
- PostgreSQL without Redis: session advisory locks on one dedicated connection; the server
  drops them the moment that connection dies (a killed node's socket closes at once).
- SQLite (embedded, one machine): ``flock`` files beside the database, which the kernel
  releases when the holding process dies.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol

import psycopg
import redis.asyncio as aioredis
from sqlalchemy.engine import make_url

from whatsapp_saas.whatsapp.manager.namespace import lease_key, redis_namespace

log = logging.getLogger(__name__)

ADVISORY_CLASS = 0x5741  # "WA": keeps our advisory locks apart from anyone else's

_RENEW = """
local held = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    held[#held + 1] = i
  end
end
return held
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Leases(Protocol):
    async def acquire(self, number_id: int) -> bool: ...

    async def renew(self, number_ids: list[int]) -> set[int]:
        """Renew the given leases; returns the ones this node still holds."""

    async def release(self, number_id: int) -> None: ...

    async def unheld(self, number_ids: list[int]) -> list[int]:
        """Those nobody holds (one round trip: a node must not knock on every lease)."""

    async def close(self) -> None: ...


class RedisLeases:
    def __init__(self, url: str, node_id: str, ttl: float, namespace: str | None = None) -> None:
        self.node_id = node_id
        self.namespace = namespace or redis_namespace()
        self.ttl_ms = int(ttl * 1000)
        self._redis = aioredis.Redis.from_url(url, socket_timeout=10, socket_keepalive=True)

    def _key(self, number_id: int) -> str:
        return lease_key(number_id, self.namespace)

    async def acquire(self, number_id: int) -> bool:
        key = self._key(number_id)
        if await self._redis.set(key, self.node_id, nx=True, px=self.ttl_ms):
            return True
        return bool(await self.renew([number_id]))

    async def renew(self, number_ids: list[int]) -> set[int]:
        if not number_ids:
            return set()
        keys = [self._key(n) for n in number_ids]
        held = await self._redis.eval(_RENEW, len(keys), *keys, self.node_id, self.ttl_ms)  # type: ignore[misc]
        return {number_ids[int(i) - 1] for i in held}

    async def release(self, number_id: int) -> None:
        await self._redis.eval(_RELEASE, 1, self._key(number_id), self.node_id)  # type: ignore[misc]

    async def unheld(self, number_ids: list[int]) -> list[int]:
        if not number_ids:
            return []
        holders = await self._redis.mget([self._key(n) for n in number_ids])
        return [n for n, holder in zip(number_ids, holders, strict=True) if holder is None]

    async def close(self) -> None:
        await self._redis.aclose()


class AdvisoryLeases:
    """Postgres session advisory locks, all on one connection this node keeps open."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._conn: psycopg.Connection | None = None
        self._held: set[int] = set()
        self._lock = threading.Lock()  # one psycopg connection, used from worker threads

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._held.clear()  # a new connection holds nothing
            self._conn = psycopg.connect(self._conninfo, autocommit=True)
        return self._conn

    def _acquire(self, number_id: int) -> bool:
        with self._lock:
            if number_id in self._held:
                return True
            row = (
                self._connection()
                .execute("SELECT pg_try_advisory_lock(%s, %s)", (ADVISORY_CLASS, number_id))
                .fetchone()
            )
            if row and row[0]:
                self._held.add(number_id)
                return True
            return False

    def _renew(self, number_ids: list[int]) -> set[int]:
        with self._lock:
            try:
                self._connection().execute("SELECT 1")
            except psycopg.Error as exc:
                log.warning("lease connection lost (%s): every advisory lock is gone", exc)
                self._conn = None
                self._held.clear()
            return {n for n in number_ids if n in self._held}

    def _release(self, number_id: int) -> None:
        with self._lock:
            if number_id not in self._held or self._conn is None:
                return
            self._held.discard(number_id)
            self._conn.execute("SELECT pg_advisory_unlock(%s, %s)", (ADVISORY_CLASS, number_id))

    def _unheld(self, number_ids: list[int]) -> list[int]:
        # Two-key advisory locks show up in pg_locks as (classid, objid) with objsubid 2.
        query = (
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' "
            "AND classid = %s AND objsubid = 2 AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with self._lock:
            held = {row[0] for row in self._connection().execute(query, (ADVISORY_CLASS,))}
        return [n for n in number_ids if n not in held]

    async def acquire(self, number_id: int) -> bool:
        return await asyncio.to_thread(self._acquire, number_id)

    async def unheld(self, number_ids: list[int]) -> list[int]:
        return await asyncio.to_thread(self._unheld, number_ids) if number_ids else []

    async def renew(self, number_ids: list[int]) -> set[int]:
        return await asyncio.to_thread(self._renew, number_ids)

    async def release(self, number_id: int) -> None:
        await asyncio.to_thread(self._release, number_id)

    async def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._held.clear()


class FileLeases:
    """SQLite (embedded, one machine): an exclusive ``flock`` per number, next to the database.

    The kernel drops the lock when the holding process dies, however it dies, so a second
    web worker or a restarted app never runs a session twice and never waits for a TTL.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._held: dict[int, int] = {}  # number id -> file descriptor holding the lock

    async def acquire(self, number_id: int) -> bool:
        if number_id in self._held:
            return True
        fd = os.open(self.directory / f"{number_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._held[number_id] = fd
        return True

    async def renew(self, number_ids: list[int]) -> set[int]:
        return {n for n in number_ids if n in self._held}  # a flock cannot expire

    async def release(self, number_id: int) -> None:
        fd = self._held.pop(number_id, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the lock

    async def unheld(self, number_ids: list[int]) -> list[int]:
        return [n for n in number_ids if n not in self._held]  # others: acquire() finds out

    async def close(self) -> None:
        for number_id in list(self._held):
            await self.release(number_id)


def make_leases(
    node_id: str, redis_url: str | None, database_url: str, ttl: float
) -> RedisLeases | AdvisoryLeases | FileLeases:
    if redis_url:
        return RedisLeases(redis_url, node_id, ttl)
    if database_url.startswith("postgresql"):
        return AdvisoryLeases(database_url.replace("postgresql+psycopg://", "postgresql://", 1))
    database = make_url(database_url).database
    base = Path(database).resolve() if database and database != ":memory:" else None
    if base is None:
        return FileLeases(Path(tempfile.gettempdir()) / f"whatsapp_saas-leases-{os.getpid()}")
    return FileLeases(base.with_name(base.name + ".leases"))
