"""Session lifecycle on a node: adopt, start (restore first), handle events, restart, shut down.

Every start/stop of a number runs under that number's lock, and every start (boot restore or
reconnect) passes the node's rate limiter first, so 500 numbers coming back after a restart
arrive at the configured pace instead of all at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, TypeVar

from whatsapp_saas.config import get_settings
from whatsapp_saas.security.crypto import Keyring
from whatsapp_saas.whatsapp import gateway as gw
from whatsapp_saas.whatsapp import state_reasons as reasons
from whatsapp_saas.whatsapp.events import InboundSink, discard_inbound, to_inbound
from whatsapp_saas.whatsapp.manager import records
from whatsapp_saas.whatsapp.manager import store_files as runtime
from whatsapp_saas.whatsapp.manager.acks import Settle, settle_on
from whatsapp_saas.whatsapp.manager.host_pool import HostPool
from whatsapp_saas.whatsapp.manager.number_leases import Leases
from whatsapp_saas.whatsapp.manager.pacing import RateLimiter, backoff_delay
from whatsapp_saas.whatsapp.manager.runner import SessionRunner
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings
from whatsapp_saas.whatsapp.manager.snapshots import (
    SnapshotUnreadable,
    delete_snapshot,
    load_snapshot,
    save_snapshot,
)
from whatsapp_saas.whatsapp.states import (
    Action,
    DesiredState,
    Input,
    NumberState,
    SessionFailed,
    SessionLost,
    SessionStarting,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
Mode = Literal["stop", "stop_no_snapshot", "logout", "discard", "node_stop", "abandon"]
REASON_NODE_STOPPED = reasons.NODE_STOPPED
REASON_TAKEOVER = reasons.TAKEOVER
ACTION_MODES: dict[Action, Mode] = {
    Action.STOP: "stop",
    Action.STOP_NO_SNAPSHOT: "stop_no_snapshot",
    Action.LOGOUT: "logout",
    Action.DISCARD: "discard",
}


class SessionOps:
    pool: HostPool
    leases: Leases
    keyring: Keyring
    executor: ThreadPoolExecutor
    node_dir: Path

    def __init__(
        self, settings: ManagerSettings, node_id: str, sink: InboundSink = discard_inbound
    ) -> None:
        self.settings = settings
        self.node_id = node_id
        self.sink = sink  # where inbound traffic goes: the ingest pipeline's ``submit``
        self.runners: dict[int, SessionRunner] = {}
        self.limiter = RateLimiter(settings.start_rate)
        self.stopping = False
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def lock_for(self, number_id: int) -> asyncio.Lock:
        return self._locks[number_id]

    async def db(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking database work off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    # --- adopt and start ----------------------------------------------------------------------

    async def adopt(self, view: records.NumberView) -> None:
        """Take ownership (lease first) and schedule the start. Caller holds the lock."""
        if not await self.leases.acquire(view.id):
            return
        path = runtime.store_path(self.node_dir, view.id)
        runner = SessionRunner(view.id, view.tenant_id, path)
        self.runners[view.id] = runner
        runner.start_consuming(self.handle_event)
        await self.db(records.claim, view.id, self.node_id, REASON_TAKEOVER)
        self.schedule_start(runner, delay=0.0)

    def schedule_start(self, runner: SessionRunner, delay: float, restart: bool = False) -> None:
        runner.schedule(self._start_after(runner, delay, restart))

    async def _start_after(self, runner: SessionRunner, delay: float, restart: bool) -> None:
        await asyncio.sleep(delay)
        await self.limiter.acquire()
        async with self.lock_for(runner.number_id):
            if runner.pending is asyncio.current_task():
                runner.pending = None  # from here on, nobody may cancel a half-done start
            if self.runners.get(runner.number_id) is not runner or self.stopping:
                return
            if restart:
                await self._stop_session(runner, logout=False)
            await self.start_locked(runner)

    async def start_locked(self, runner: SessionRunner) -> None:
        number_id = runner.number_id
        view = await self.db(records.load_view, number_id)
        if view is None or view.desired is not DesiredState.CONNECTED:
            return  # the next reconcile shuts it down
        restoring = await self._restore(runner)
        if restoring is None:
            return
        await self.db(records.apply, number_id, SessionStarting(restoring=restoring))
        runner.qr_ready.clear()
        host = await self.pool.place(runner.session_id)
        spec = gw.SessionSpec(runner.session_id, runner.store_path, get_settings().device_name)
        try:
            await host.call("start", spec, timeout=self.settings.call_timeout)
        except gw.GatewayError as exc:
            log.warning("number %s did not start: %s", number_id, exc)
            self.pool.forget(runner.session_id)
            runner.push(SessionLost(reasons.from_engine(reasons.START_FAILED, str(exc))))
            return
        runner.live = True

    async def _restore(self, runner: SessionRunner) -> bool | None:
        """Put the store in place; whether it holds a saved session, None if it is unusable.

        A restart on the node that already ran the session keeps the local file: it is newer
        than any snapshot (the debounce window), and a stale store replays old ratchets. The
        database catches up first. Otherwise the snapshot is decrypted into the private file.
        """
        if runner.restored and runner.store_path.exists():
            await self.snapshot(runner)
            return runner.last_digest is not None
        try:
            plaintext = await self.db(load_snapshot, runner.number_id, self.keyring)
        except SnapshotUnreadable as exc:
            log.error("number %s cannot start: %s", runner.number_id, exc.reason)
            await self.db(records.apply, runner.number_id, SessionFailed(exc.reason))
            await self.shutdown_locked(runner, "stop_no_snapshot")
            return None
        await asyncio.to_thread(_prepare_store, runner.store_path, plaintext)
        if plaintext is not None:
            runner.remember(plaintext)
        runner.restored = True
        return plaintext is not None

    # --- engine events ------------------------------------------------------------------------

    async def handle_event(
        self, runner: SessionRunner, event: Input, settle: Settle | None = None
    ) -> None:
        if isinstance(event, gw.GatewayEvent):
            inbound = to_inbound(runner.tenant_id, runner.number_id, event)
            if inbound is not None and runner.held and settle is not None:
                settle(False)  # not confirmed yet: the network redelivers it later
                return
            if inbound is not None:
                # Never wait for the commit here: this number's next events must reach the
                # pipeline meanwhile, or nothing would batch. The ack follows the commit.
                outcome = await self.sink(inbound)
                if settle is not None:
                    settle_on(outcome, settle)
                return
        if settle is not None:
            settle(True)  # only inbound traffic waits for a commit
        if isinstance(event, gw.StoreChanged):
            runner.snapshot_soon(self.settings.snapshot_debounce, lambda: self.snapshot(runner))
            return
        step, _ = await self.db(records.apply, runner.number_id, event)
        if step is not None and step.state is NumberState.CONFIRM_PHONE:
            runner.held = True
        await self._observe(runner, event)
        if step is not None and not self.stopping:
            await self._perform(runner, step.action)

    async def _observe(self, runner: SessionRunner, event: Input) -> None:
        if isinstance(event, gw.QrCodeIssued):
            log.info("number %s: QR code issued (expires %s)", runner.number_id, event.expires_at)
            runner.qr_ready.set()
        elif isinstance(event, gw.Connected):
            log.info("number %s connected", runner.number_id)
            runner.attempt = 0
            runner.qr_ready.clear()
            runner.mark_reconnecting(False)
            await self.snapshot(runner)  # right after pairing: the device identity is in it
        elif isinstance(event, gw.Disconnected):
            log.info("number %s disconnected: %s", runner.number_id, event.reason)
            runner.mark_reconnecting(event.will_retry)
        elif isinstance(event, gw.LoggedOut):
            log.info("number %s logged out: %s", runner.number_id, event.reason)

    async def _perform(self, runner: SessionRunner, action: Action) -> None:
        if action is Action.RESTART:
            runner.live = False
            delay = backoff_delay(
                runner.attempt, self.settings.backoff_base, self.settings.backoff_cap
            )
            runner.attempt += 1
            log.info("number %s restarts in %.1f s", runner.number_id, delay)
            self.schedule_start(runner, delay, restart=True)
        elif action in ACTION_MODES:
            await self.shutdown(runner, ACTION_MODES[action])

    # --- snapshots ----------------------------------------------------------------------------

    async def snapshot(self, runner: SessionRunner) -> None:
        async with runner.snapshot_lock:
            try:
                data = await asyncio.to_thread(runtime.read_store, runner.store_path)
                if data is None or runner.unchanged(data):
                    return
                if await self.db(save_snapshot, runner.number_id, data, self.node_id, self.keyring):
                    runner.remember(data)
                    log.debug("number %s: snapshot saved (%d bytes)", runner.number_id, len(data))
            except Exception:
                log.exception("number %s: snapshot failed", runner.number_id)

    # --- shutdown -----------------------------------------------------------------------------

    @staticmethod
    def shutdown_mode(view: records.NumberView | None) -> Mode:
        if view is None or view.state is NumberState.LOGGED_OUT:
            return "logout"  # deleted or logged out by the user: unlink on WhatsApp too
        return "stop_no_snapshot" if view.state is NumberState.FAILED else "stop"

    async def shutdown(self, runner: SessionRunner, mode: Mode) -> None:
        async with self.lock_for(runner.number_id):
            if self.runners.get(runner.number_id) is runner:
                await self.shutdown_locked(runner, mode)

    async def shutdown_locked(self, runner: SessionRunner, mode: Mode) -> None:
        number_id = runner.number_id
        runner.cancel_pending()
        runner.cancel_snapshot_timer()
        await self._stop_session(runner, logout=mode == "logout")
        if mode in ("stop", "node_stop"):
            await self.snapshot(runner)  # the clean-shutdown snapshot
        if mode in ("logout", "discard"):
            await self.db(delete_snapshot, number_id)
        if mode == "node_stop":
            await self.db(records.apply, number_id, SessionLost(REASON_NODE_STOPPED))
        runtime.remove_session_files(self.node_dir, number_id)
        self.pool.forget(runner.session_id)
        self.runners.pop(number_id, None)
        if mode != "abandon":  # an abandoned number already belongs to another node
            await self.db(records.disown, number_id, self.node_id)
            await self.leases.release(number_id)
        await runner.close()

    async def _stop_session(self, runner: SessionRunner, logout: bool) -> None:
        host = self.pool.host_of(runner.session_id)
        runner.live = False
        if host is None:
            return
        try:
            method = "logout" if logout else "stop"
            await host.call(method, runner.session_id, timeout=self.settings.call_timeout)
        except gw.GatewayError as exc:
            log.warning(
                "number %s: %s failed: %s", runner.number_id, "logout" if logout else "stop", exc
            )


def _prepare_store(path: Path, plaintext: bytes | None) -> None:
    """Put the restored store in place, or clear a stale one so the engine starts fresh."""
    if plaintext is None:
        path.unlink(missing_ok=True)
        return
    runtime.write_private(path, plaintext)
