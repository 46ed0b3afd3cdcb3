"""What a node keeps in memory about one number it owns.

Nothing here is the truth (the database is); it is the node's bookkeeping for the live session:
where it runs, whether a start or restart is pending, the reconnect attempt count, and the
debounced snapshot timer. Engine events for the number are handled one at a time, in order,
by the runner's own task, so a QR code can never be written after the "connected" that
followed it. An inbound event travels with its ack callback (:mod:`.acks`); one whose handling
fails, or that is still queued when the runner closes, is settled as not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from whatsapp_saas.whatsapp.manager.acks import Settle
from whatsapp_saas.whatsapp.states import Input

log = logging.getLogger(__name__)

EventHandler = Callable[["SessionRunner", Input, Settle | None], Awaitable[None]]


class SessionRunner:
    def __init__(self, number_id: int, tenant_id: int, store_path: Path) -> None:
        self.number_id = number_id
        self.tenant_id = tenant_id
        self.store_path = store_path
        self.live = False  # a session was started on a host and not stopped since
        self.restored = False  # the store file was put in place by this node
        self.attempt = 0  # consecutive failed (re)starts, for the backoff
        self.pending: asyncio.Task[None] | None = None  # a scheduled start or restart
        self.reconnecting_since: float | None = None
        self.qr_ready = asyncio.Event()  # set while the engine shows QR codes
        # Linked to a phone the tenant must confirm first: its inbound traffic is not stored
        # here (drivers that can redeliver keep it for later).
        self.held = False
        self.last_digest: bytes | None = None
        self.snapshot_lock = asyncio.Lock()
        self._snapshot_timer: asyncio.Task[None] | None = None
        self._events: asyncio.Queue[tuple[Input, Settle | None]] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def session_id(self) -> str:
        return str(self.number_id)

    # --- engine events, in order ------------------------------------------------------------

    def start_consuming(self, handler: EventHandler) -> None:
        self._consumer = asyncio.get_running_loop().create_task(self._consume(handler))

    def push(self, event: Input, settle: Settle | None = None) -> None:
        self._events.put_nowait((event, settle))

    async def _consume(self, handler: EventHandler) -> None:
        while not self._closed:
            event, settle = await self._events.get()
            try:
                await handler(self, event, settle)
            except asyncio.CancelledError:
                if settle is not None:
                    settle(False)
                raise
            except Exception:
                log.exception(
                    "handling %s for number %s failed", type(event).__name__, self.number_id
                )
                if settle is not None:
                    settle(False)  # not stored: the network keeps it and redelivers

    def _drop_queued(self) -> None:
        while not self._events.empty():
            _, settle = self._events.get_nowait()
            if settle is not None:
                settle(False)

    # --- timers -----------------------------------------------------------------------------

    def schedule(self, coro: Awaitable[None]) -> None:
        """Replace any pending start/restart with ``coro``."""
        self.cancel_pending()
        self.pending = asyncio.ensure_future(coro)

    def cancel_pending(self) -> None:
        current = asyncio.current_task()
        if self.pending is not None and self.pending is not current and not self.pending.done():
            self.pending.cancel()
        self.pending = None

    def snapshot_soon(self, delay: float, take: Callable[[], Awaitable[None]]) -> None:
        """Coalesce bursts of store changes into one snapshot ``delay`` seconds after the first."""
        if self._snapshot_timer is not None and not self._snapshot_timer.done():
            return

        async def later() -> None:
            await asyncio.sleep(delay)
            await take()

        self._snapshot_timer = asyncio.get_running_loop().create_task(later())

    def cancel_snapshot_timer(self) -> None:
        if self._snapshot_timer is not None and self._snapshot_timer is not asyncio.current_task():
            self._snapshot_timer.cancel()
        self._snapshot_timer = None

    def mark_reconnecting(self, engine_retries: bool) -> None:
        self.reconnecting_since = time.monotonic() if engine_retries else None

    def unchanged(self, data: bytes) -> bool:
        """Whether ``data`` is what the last snapshot already holds (skips idle rewrites)."""
        return hashlib.sha256(data).digest() == self.last_digest

    def remember(self, data: bytes) -> None:
        self.last_digest = hashlib.sha256(data).digest()

    async def close(self) -> None:
        self._closed = True
        self.cancel_pending()
        self.cancel_snapshot_timer()
        if self._consumer is not None and self._consumer is not asyncio.current_task():
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
        self._drop_queued()
