"""The scheduler loop: due schedules, follow-up steps and campaign batches become outbox rows.

It polls the database (the one truth) every ``interval`` seconds, so a due message is queued
within about a second of its time. One process leads through a lease; a standby takes over
when the lease expires. Leading is an optimisation only: every claim is a compare-and-set in
the transaction that writes the message, so two schedulers never send anything twice, and a
scheduler that was down sends what it missed when it returns (marked ``late``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from whatsapp_saas.automations.menu_engine import sweep_timeouts
from whatsapp_saas.db import session_scope
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.scheduling.claiming import next_due
from whatsapp_saas.scheduling.dispatch_campaigns import advance_campaign, running_campaigns
from whatsapp_saas.scheduling.dispatch_followups import FOLLOW_UPS, fire_due_follow_ups
from whatsapp_saas.scheduling.dispatch_schedules import SCHEDULES, fire_due_schedules
from whatsapp_saas.scheduling.leader_lease import resign, try_lead
from whatsapp_saas.scheduling.optout_scan import scan_opt_outs

log = logging.getLogger(__name__)
STANDBY_POLL = 1.0


def default_node_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{time.monotonic_ns() % 100000}"


@dataclass
class SchedulerConfig:
    interval: float = 0.5  # seconds between polls; a due row waits at most this long
    late_after: float = 30.0  # claimed later than this after due_at: marked late
    lease_ttl: float = 5.0  # a dead leader's standby takes over after this
    use_lease: bool = True
    batch: int = 100  # rows per table per pass; a full batch polls again at once
    campaign_every: float = 1.0
    optout_scan_every: float = 10.0
    menu_sweep_every: float = 5.0  # silent menu sessions: their timeout action
    timers_every: float = 5.0  # time-based automations are minutes-grained
    # Empty: this process's own id, made when the scheduler first leads. Not at construction:
    # the web app builds its graph at import and granian forks its workers after that, so
    # an id made then would be shared, and every worker would hold the one lease.
    node_id: str = ""


@dataclass
class PassReport:
    schedules: int = 0
    follow_ups: int = 0
    campaign_messages: int = 0
    opt_outs: int = 0
    menu_timeouts: int = 0
    extra: int = 0  # rows the injected passes handled
    timers: int = 0  # time-based automation firings
    backlog: bool = False  # a batch came back full: more is due right now
    next_due: datetime | None = None  # the earliest pending schedule or follow-up step
    at: datetime | None = None  # the "now" this pass claimed up to


def _falls_due_later(report: PassReport) -> bool:
    return report.next_due is not None and report.at is not None and report.next_due > report.at


class Scheduler:
    def __init__(
        self,
        config: SchedulerConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
        passes: Sequence[Callable[[Session, datetime], int]] = (),
        timers: Callable[[datetime], int] | None = None,
    ) -> None:
        self.config = config or SchedulerConfig()
        # Other packages' due rows (automations' delayed actions and webhooks), wired by
        # bootstrap: each runs in its own write transaction every pass.
        self.passes = tuple(passes)
        self.clock = clock
        # The automations' time-based rules (injected by bootstrap: scheduling does not
        # import automations, which queue their replies through scheduling.outbound).
        self.timers = timers
        self._last_timers = float("-inf")
        self._stop = asyncio.Event()
        self._lease_renew_at = 0.0
        self._last_campaigns = self._last_scan = self._last_menus = float("-inf")
        self._failing = False
        self._holder = ""

    @property
    def holder(self) -> str:
        """This scheduler's name in the leader lease (see ``SchedulerConfig.node_id``)."""
        if not self._holder:
            self._holder = self.config.node_id or default_node_id()
        return self._holder

    # --- one pass (blocking; also what tests call directly) ------------------------------

    def run_once(self) -> PassReport | None:
        """Lead (or stand by) and do one pass; None when another scheduler leads."""
        now = self.clock()
        if self.config.use_lease and not self._lead(now):
            return None
        return self.dispatch(now)

    def dispatch(self, now: datetime) -> PassReport:
        """One pass. Each write is its own short transaction (one table's batch, one
        campaign's batch), taken with the write lock up front on SQLite; reads run apart."""
        report, cfg = PassReport(at=now), self.config
        with session_scope(write=True) as session:
            report.schedules = len(
                fire_due_schedules(session, now=now, late_after=cfg.late_after, limit=cfg.batch)
            )
        with session_scope(write=True) as session:
            report.follow_ups = len(fire_due_follow_ups(session, now=now, limit=cfg.batch))
        for extra in self.passes:
            with session_scope(write=True) as session:
                report.extra += extra(session, now)
        with session_scope() as session:
            upcoming = [next_due(session, table=t) for t in (SCHEDULES, FOLLOW_UPS)]
            report.next_due = min((d for d in upcoming if d is not None), default=None)
        report.backlog = cfg.batch in (report.schedules, report.follow_ups)
        if self._due("_last_campaigns", cfg.campaign_every):
            report.campaign_messages = self._campaigns(now)
        if self._due("_last_scan", cfg.optout_scan_every):
            with session_scope(write=True) as session:
                report.opt_outs = scan_opt_outs(session, now=now)
        if self._due("_last_menus", cfg.menu_sweep_every):
            with session_scope(write=True) as session:
                report.menu_timeouts = sweep_timeouts(session, now=now)
        if self.timers is not None and self._due("_last_timers", cfg.timers_every):
            report.timers = self.timers(now)
        return report

    def _campaigns(self, now: datetime) -> int:
        with session_scope() as session:
            running = running_campaigns(session)
        queued = 0
        for campaign_id, tenant_id in running:
            with session_scope(write=True) as session:
                queued += advance_campaign(
                    session, tenant_id=tenant_id, campaign_id=campaign_id, now=now
                )
        return queued

    def _due(self, attr: str, every: float) -> bool:
        if time.monotonic() - getattr(self, attr) < every:
            return False
        setattr(self, attr, time.monotonic())
        return True

    def _lead(self, now: datetime) -> bool:
        if time.monotonic() < self._lease_renew_at:
            return True  # renewed recently enough; the lease still has half its TTL
        with session_scope(write=True) as session:
            leading = try_lead(session, holder=self.holder, ttl=self.config.lease_ttl, now=now)
        self._lease_renew_at = time.monotonic() + self.config.lease_ttl / 2 if leading else 0.0
        return leading

    # --- the loop -------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll until :meth:`stop`; database outages are logged once and waited out."""
        log.info("scheduler %s started", self.holder)
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                report = await self._safe_pass()
                if report is not None and report.backlog:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=self._wait(report, started))
        finally:
            await asyncio.to_thread(self._resign)
            log.info("scheduler %s stopped", self.holder)

    def _wait(self, report: PassReport | None, started: float) -> float:
        """Until the next poll (``interval`` after this one began), or sooner if a known row
        falls due before that: a due message waits for the database, not for the clock."""
        wait = self.config.interval - (time.monotonic() - started)
        if report is None and self.config.use_lease:
            # Standing by (or the database is away): asking for the lease once a second is
            # plenty, as it is only free after a leader's TTL anyway.
            wait = max(wait, min(STANDBY_POLL, self.config.lease_ttl / 2))
        # A row already due when this pass began and still pending was left alone (another
        # scheduler holds it, or it keeps failing): that waits for the next regular poll
        # instead of making us spin. Anything falling due later is waited for exactly.
        if report is not None and _falls_due_later(report):
            assert report.next_due is not None
            wait = min(wait, (report.next_due - self.clock()).total_seconds())
        return max(wait, 0.0)

    async def _safe_pass(self) -> PassReport | None:
        try:
            report = await asyncio.to_thread(self.run_once)
        except OperationalError as exc:
            if not self._failing:
                log.warning("scheduler: database unavailable (%s); retrying", type(exc).__name__)
            self._failing, self._lease_renew_at = True, 0.0
            return None
        except Exception:
            log.exception("scheduler pass failed; retrying")
            return None
        if self._failing:
            log.info("scheduler: database back")
        self._failing = False
        return report

    def stop(self) -> None:
        self._stop.set()

    def _resign(self) -> None:
        if not self.config.use_lease:
            return
        try:
            with session_scope(write=True) as session:
                resign(session, holder=self.holder)
        except Exception:
            log.warning("scheduler: could not hand over the lease; it expires on its own")
