"""A manager node: owns numbers by lease and runs their sessions in session-host processes.

Loops:
- reconcile: compares what users want (``desired_state``) with what this node runs, adopts
  unowned numbers (lease first), shuts down numbers nobody wants, and checks every session it
  believes live is live in its host (stored state is never trusted on its own);
- leases: renews this node's leases; a lease it lost means another node owns the number now,
  so the session is dropped at once, without writing a snapshot.

Session lifecycle (start, restart, shutdown, engine events) lives in :class:`SessionOps`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from whatsapp_saas.config import get_settings
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.security.crypto import keyring_from_settings
from whatsapp_saas.whatsapp import state_reasons as reasons
from whatsapp_saas.whatsapp.events import InboundSink, discard_inbound
from whatsapp_saas.whatsapp.gateway import GatewayError, GatewayEvent
from whatsapp_saas.whatsapp.manager import control, records
from whatsapp_saas.whatsapp.manager import store_files as runtime
from whatsapp_saas.whatsapp.manager.acks import Settle
from whatsapp_saas.whatsapp.manager.api import NodeApi
from whatsapp_saas.whatsapp.manager.driver_choice import driver_choice
from whatsapp_saas.whatsapp.manager.host_pool import HostHandle, HostPool
from whatsapp_saas.whatsapp.manager.local import LocalNodes
from whatsapp_saas.whatsapp.manager.number_leases import make_leases
from whatsapp_saas.whatsapp.manager.ops import SessionOps
from whatsapp_saas.whatsapp.manager.settings import ManagerSettings
from whatsapp_saas.whatsapp.states import DesiredState, SessionLost

log = logging.getLogger(__name__)

REASON_HOST_CRASHED = reasons.HOST_CRASHED
REASON_NOT_RUNNING = reasons.NOT_RUNNING
ADOPT_CONCURRENCY = 8
REASON_WATCHDOG = reasons.WATCHDOG


def default_node_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


class ManagerNode(SessionOps, NodeApi):
    def __init__(
        self,
        settings: ManagerSettings | None = None,
        *,
        sink: InboundSink = discard_inbound,
        driver: tuple[str, dict[str, Any]] | None = None,
        choose_driver: Callable[[], tuple[str, dict[str, Any]]] | None = None,
        node_id: str | None = None,
        nodes: LocalNodes | None = None,
        bus: EventBus | None = None,
    ) -> None:
        """``sink``: where inbound traffic goes (bootstrap passes the ingest pipeline).
        ``driver``: (name, options) of the sessions' engine, or ``choose_driver`` to find it
        at start (bootstrap's asks the graph's simulator host); else from the settings.
        ``nodes``: the process's registry the node joins while it runs (bootstrap passes
        ``App.nodes``; a node built alone gets a registry of its own).
        ``bus``: the graph's bus, bound to this node's loop at start if nothing bound it yet
        (``App.start`` does; a node started alone in a test needs it: its state changes
        commit in worker threads, and the bus's async live handlers need a loop)."""
        super().__init__(settings or ManagerSettings(), node_id or default_node_id(), sink)
        self._fixed_node_id = node_id
        self.nodes = nodes if nodes is not None else LocalNodes()
        self._driver = driver
        self._choose_driver = choose_driver or driver_choice
        self._bus = bus
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # --- life cycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = get_settings()
        loop = asyncio.get_running_loop()
        if self._fixed_node_id is None:
            # The web app builds its graph at import, and granian forks its workers after
            # that: an id made at construction would be shared by every worker, and each
            # would believe it holds the others' leases (two live sessions of one number).
            self.node_id = default_node_id()
        self.keyring = keyring_from_settings()
        self.executor = ThreadPoolExecutor(16, thread_name_prefix="wa-manager")
        # Starting the in-process simulator blocks briefly: keep it off the loop.
        choice: tuple[str, dict[str, Any]] | None = self._driver
        if choice is None:
            choice = await loop.run_in_executor(self.executor, self._choose_driver)
        name, options = choice
        self.pool = HostPool(
            name,
            options,
            self.settings.sessions_per_host,
            self._on_event,
            self._on_host_lost,
            log_level=self.settings.log_level,
        )
        self.node_dir = runtime.new_node_dir(runtime.base_runtime_dir(app.session_runtime_dir))
        self.leases = make_leases(
            self.node_id, app.redis_url, app.effective_database_url, self.settings.lease_ttl
        )
        if self._bus is not None and not self._bus.bound:
            self._bus.bind_loop(loop)  # DB writes commit in worker threads
        self._tasks = [
            loop.create_task(self._reconcile_loop()),
            loop.create_task(self._lease_loop()),
        ]
        if app.redis_url:
            listening = asyncio.Event()
            serve = control.serve_redis(app.redis_url, self, self._stop, listening)
            self._tasks.append(loop.create_task(serve))
            with contextlib.suppress(TimeoutError):  # Redis down: the loop keeps retrying
                await asyncio.wait_for(listening.wait(), 10)
        else:
            self.nodes.listen(self, loop)
        self.nodes.add(self)
        log.info("manager node %s started (driver %s)", self.node_id, name)

    async def stop(self) -> None:
        """Clean shutdown: final snapshots, leases released, hosts closed."""
        self.stopping = True
        self._stop.set()
        self.nodes.remove(self)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(
            *(self.shutdown(r, "node_stop") for r in list(self.runners.values())),
            return_exceptions=True,
        )
        await self.pool.close()
        await self.leases.close()
        runtime.remove_node_dir(self.node_dir)
        self.executor.shutdown(wait=False)
        log.info("manager node %s stopped", self.node_id)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    # --- reconcile ----------------------------------------------------------------------------

    async def _reconcile_loop(self) -> None:
        while not self._stop.is_set():
            try:
                await self.reconcile()
            except Exception:
                log.exception("reconcile pass failed")
            await self._sleep(self.settings.reconcile_interval)

    async def reconcile(self) -> None:
        wanted = {view.id: view for view in await self.db(records.wanted_numbers)}
        for number_id in [n for n in self.runners if n not in wanted]:
            await self.reconcile_number(number_id)
        candidates = await self.leases.unheld([n for n in wanted if n not in self.runners])
        await self._adopt_all([wanted[n] for n in candidates[: self._room()]])
        await self._check_liveness()

    async def _adopt_all(self, views: list[records.NumberView]) -> None:
        """Adopt in parallel (a few at a time): at boot, adopting 500 numbers one by one would
        pace the restore slower than the start-rate limiter that is meant to pace it."""
        gate = asyncio.Semaphore(ADOPT_CONCURRENCY)

        async def one(view: records.NumberView) -> None:
            async with gate:
                if self._has_capacity():
                    await self.reconcile_number(view.id, view)

        results = await asyncio.gather(*(one(view) for view in views), return_exceptions=True)
        for view, result in zip(views, results, strict=True):
            if isinstance(result, Exception):
                log.error("adopting number %s failed: %s", view.id, result)

    def _room(self) -> int:
        limit = self.settings.max_sessions
        return limit - len(self.runners) if limit > 0 else 1 << 30

    def _has_capacity(self) -> bool:
        limit = self.settings.max_sessions
        return not self.stopping and (limit <= 0 or len(self.runners) < limit)

    async def reconcile_number(
        self, number_id: int, view: records.NumberView | None = None
    ) -> None:
        async with self.lock_for(number_id):
            if view is None:
                view = await self.db(records.load_view, number_id)
            runner = self.runners.get(number_id)
            wanted = view is not None and view.desired is DesiredState.CONNECTED
            if runner is None:
                if wanted and view is not None and self._has_capacity():
                    await self.adopt(view)
            elif not wanted:
                await self.shutdown_locked(runner, self.shutdown_mode(view))
            elif not runner.live and runner.pending is None:
                self.schedule_start(runner, delay=0.0)

    async def _check_liveness(self) -> None:
        now = time.monotonic()
        for host in list(self.pool.hosts):
            sids = [s for s in host.sessions if self._live_runner(s) is not None]
            if not sids:
                continue
            try:
                running = set(await host.call("running", sids, timeout=10))
            except GatewayError as exc:
                log.error("session host %s is unresponsive (%s); killing it", host.index, exc)
                host.kill()  # its sessions restart through the host-lost path
                continue
            for sid in sids:
                runner = self._live_runner(sid)
                if runner is None or self.lock_for(runner.number_id).locked():
                    continue
                if sid not in running:
                    runner.live = False
                    runner.push(SessionLost(REASON_NOT_RUNNING))
                elif (
                    runner.reconnecting_since
                    and now - runner.reconnecting_since > self.settings.reconnect_watchdog
                ):
                    runner.reconnecting_since = None
                    runner.push(SessionLost(REASON_WATCHDOG))

    def _live_runner(self, session_id: str) -> Any:
        runner = self.runners.get(int(session_id))
        return runner if runner is not None and runner.live and runner.pending is None else None

    # --- leases -------------------------------------------------------------------------------

    async def _lease_loop(self) -> None:
        last_ok = time.monotonic()
        while not self._stop.is_set():
            await self._sleep(self.settings.lease_ttl / 3)
            owned = list(self.runners)
            try:
                held = await self.leases.renew(owned)
                last_ok = time.monotonic()
            except Exception as exc:
                log.warning("lease renewal failed: %s", exc)
                if time.monotonic() - last_ok < self.settings.lease_ttl:
                    continue
                held = set()  # past the TTL another node may own them: stop now
            for number_id in set(owned) - held:
                runner = self.runners.get(number_id)
                if runner is not None:
                    log.warning("lost the lease of number %s; dropping its session", number_id)
                    await self.shutdown(runner, "abandon")

    # --- callbacks from the host pool (on the loop) -------------------------------------------

    def _on_event(self, event: GatewayEvent, settle: Settle | None = None) -> None:
        try:
            runner = self.runners.get(int(event.session_id))
        except ValueError:
            runner = None
        if runner is not None:
            runner.push(event, settle)
        elif settle is not None:
            settle(False)  # not ours (any more): the network keeps it for the owner

    def _on_host_lost(self, host: HostHandle, session_ids: set[str]) -> None:
        for sid in session_ids:
            runner = self.runners.get(int(sid))
            if runner is not None:
                runner.live = False
                runner.push(SessionLost(REASON_HOST_CRASHED))

    # --- control channel ----------------------------------------------------------------------

    async def on_wake(self, number_id: int) -> None:
        if not self.stopping:
            await self.reconcile_number(number_id)
