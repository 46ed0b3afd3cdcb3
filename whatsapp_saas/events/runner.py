"""The durable runner: every subscriber gets every stored event it wants, at least once, in
order per conversation, whatever crashes.

One pass of a subscriber, per tenant with events it has not passed: in ONE transaction, take
the next events after its cursor, hand them to the handler, and move the cursor. A crash
anywhere rolls all of it back, so the events come again (at least once); what the handler
writes through the session it is given happens exactly once.

A handler that raises gets its batch split: each event is tried alone (in a savepoint), and the
one that fails is *held*: the cursor moves past it, it is retried with backoff, and after
``max_attempts`` it is parked with its error for a person to look at (``python -m
whatsapp_saas.events``). Later events of the same conversation are held behind it, so a
conversation is never handled out of order; other conversations, tenants and subscribers go
on. Runners of one subscriber in several processes take turns (the subscriber row is locked
per transaction), so running more than one is safe.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from whatsapp_saas.db import PENDING_KEY, session_scope
from whatsapp_saas.events import queries as q
from whatsapp_saas.events.codec import EventRegistry
from whatsapp_saas.events.subscriber import Delivery, Subscriber
from whatsapp_saas.models_base import as_utc, utcnow

log = logging.getLogger(__name__)

Transaction = Callable[[], AbstractContextManager[Session]]
CHUNKS_PER_TENANT = 20  # per pass, so one busy tenant cannot starve the others


def write_transaction() -> AbstractContextManager[Session]:
    return session_scope(write=True)


@dataclass
class PassResult:
    done: int  # events passed (handled, skipped as unwanted, or released from a hold)
    more: bool  # a batch came back full: run another pass without waiting


class DurableRunner:
    """Runs the passes (blocking; :mod:`whatsapp_saas.events.spine` runs it off the loop)."""

    def __init__(
        self,
        subscribers: list[Subscriber],
        registry: EventRegistry,
        *,
        transaction: Transaction = write_transaction,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        names = [s.name for s in subscribers]
        if len(set(names)) != len(names):
            raise ValueError(f"durable subscribers need distinct names: {names}")
        self.subscribers = subscribers
        self.registry = registry
        self.transaction = transaction
        self.clock = clock
        self._known: set[str] = set()

    def drain(self, max_passes: int = 10_000) -> int:
        """Run every subscriber until none has anything left that is due (tests, the CLI)."""
        total = 0
        for _ in range(max_passes):
            done = sum(self.run_pass(s) for s in self.subscribers)
            total += done
            if not done:
                break
        return total

    def run_pass(self, sub: Subscriber) -> int:
        """One pass: due held events, then new events; returns how many events it passed."""
        return self.pass_once(sub).done

    def pass_once(self, sub: Subscriber) -> PassResult:
        """One pass, and whether another is worth running at once (a chunk came back full).

        The cheap look (which tenants lag, are there holds) shares one transaction, and a
        chunk that came back short has reached the head it read: events committed since
        wake the loop again, so no empty pass follows each busy one. That keeps an idle
        subscriber to one small transaction per wake-up.
        """
        self._register(sub)
        with self.transaction() as session:
            lagging = q.lagging_tenants(session, name=sub.name)
            holding = q.has_holds(session, name=sub.name)
        result = PassResult(self._retry_holds(sub) if holding else 0, more=False)
        for tenant_id, _head, _cursor in lagging:
            for _ in range(CHUNKS_PER_TENANT):
                moved, full = self._chunk(sub, tenant_id)
                result.done += moved
                if not full:
                    break
            else:
                result.more = True  # this tenant still has events: another pass now
        return result

    def _register(self, sub: Subscriber) -> None:
        if sub.name not in self._known:
            with self.transaction() as session:
                q.ensure_subscriber(session, name=sub.name)
            self._known.add(sub.name)

    # --- new events ---------------------------------------------------------------------

    def _chunk(self, sub: Subscriber, tenant_id: int) -> tuple[int, bool]:
        """Passes the next batch: (events passed, whether the batch was full)."""
        names = self.registry.names_for(sub.types)
        with self.transaction() as session:
            q.lock_subscriber(session, name=sub.name)
            cursor, head = (
                q.cursor_of(session, name=sub.name, tenant_id=tenant_id),
                q.head_of(session, tenant_id=tenant_id),
            )
            if cursor >= head:
                return 0, False
            rows = q.next_events(
                session,
                tenant_id=tenant_id,
                after=cursor,
                upto=head,
                types=names,
                limit=sub.batch_size,
            )
            full = len(rows) == sub.batch_size
            upto = rows[-1].seq if full else head
            self._deliver(session, sub, tenant_id, rows)
            last_id = rows[-1].id if rows else 0
            q.move_cursor(session, name=sub.name, tenant_id=tenant_id, seq=upto, event_id=last_id)
            return max(1, len(rows)), full  # progress, even when nothing here was wanted

    def _deliver(self, session: Session, sub: Subscriber, tenant_id: int, rows: list[Any]) -> None:
        blocked = (
            q.held_conversations(session, name=sub.name, tenant_id=tenant_id) if rows else set()
        )
        ready: list[tuple[Any, Delivery]] = []
        for row in rows:
            if row.conversation_id is not None and row.conversation_id in blocked:
                _wait_behind(session, sub, tenant_id, row)
            else:
                ready.append((row, self._delivery(row, tenant_id)))
        if not ready or self._try(session, sub, [d for _, d in ready]) is None:
            return
        for row, delivery in ready:  # the batch failed: one by one, holding what fails
            if row.conversation_id is not None and row.conversation_id in blocked:
                _wait_behind(session, sub, tenant_id, row)
                continue
            error = self._try(session, sub, [delivery])
            if error is not None:
                at = self.clock() + timedelta(seconds=sub.delay(1))
                parked = sub.max_attempts <= 1
                q.hold(
                    session,
                    name=sub.name,
                    row=row,
                    tenant_id=tenant_id,
                    attempts=1,
                    error=error,
                    next_at=at,
                    parked=parked,
                )
                if row.conversation_id is not None:
                    blocked.add(row.conversation_id)

    def _delivery(self, row: Any, tenant_id: int) -> Delivery:
        event = self.registry.decode(row.type, dict(row.payload))
        return Delivery(row.id, tenant_id, row.seq, row.conversation_id, event)

    def _try(self, session: Session, sub: Subscriber, deliveries: list[Delivery]) -> str | None:
        """Run the handler in a savepoint; None on success, else the error (rolled back)."""
        announced = len(session.info.get(PENDING_KEY, ()))
        savepoint = session.begin_nested()
        try:
            sub.handle(session, deliveries)
            savepoint.commit()
            return None
        except Exception as exc:
            savepoint.rollback()
            # Events the failed attempt announced describe writes that were just undone.
            del session.info.get(PENDING_KEY, [])[announced:]
            ids = [d.event_id for d in deliveries]
            log.warning("durable subscriber %s failed on events %s: %r", sub.name, ids[:5], exc)
            return f"{type(exc).__name__}: {exc}"

    # --- held events --------------------------------------------------------------------

    def _retry_holds(self, sub: Subscriber) -> int:
        with self.transaction() as session:
            q.lock_subscriber(session, name=sub.name)
            holds = q.holds_of(session, name=sub.name)
            done = 0
            for group in _groups(holds):
                done += self._retry_group(session, sub, group)
            return done

    def _retry_group(self, session: Session, sub: Subscriber, group: list[Any]) -> int:
        now, done = self.clock(), 0
        for held in group:  # in order: stop at the first that is not due or fails again
            if held.parked:
                break
            if held.attempts > 0 and held.next_attempt_at and as_utc(held.next_attempt_at) > now:
                break
            row = q.event_row(session, event_id=held.event_id)
            if row is None:  # cannot happen (retention keeps held events), but never wedge
                q.release_hold(session, name=sub.name, event_id=held.event_id)
                continue
            error = self._try(session, sub, [self._delivery(row, row.tenant_id)])
            if error is None:
                q.release_hold(session, name=sub.name, event_id=held.event_id)
                done += 1
                continue
            attempts = held.attempts + 1
            q.update_hold(
                session,
                name=sub.name,
                event_id=held.event_id,
                attempts=attempts,
                last_error=error[:2000],
                next_attempt_at=now + timedelta(seconds=sub.delay(attempts)),
                parked=attempts >= sub.max_attempts,
            )
            break
        return done


def _groups(holds: list[Any]) -> Iterator[list[Any]]:
    """Held events per conversation, oldest first (an event without one stands alone)."""
    groups: dict[tuple[int, int, int], list[Any]] = defaultdict(list)
    for held in holds:
        conv = held.conversation_id
        key = (held.tenant_id, 0, conv) if conv is not None else (held.tenant_id, 1, held.event_id)
        groups[key].append(held)
    for key in sorted(groups, key=lambda k: groups[k][0].event_id):
        yield sorted(groups[key], key=lambda h: h.event_id)


def _wait_behind(session: Session, sub: Subscriber, tenant_id: int, row: Any) -> None:
    """Hold ``row`` without an attempt: an earlier event of its conversation is held."""
    q.hold(
        session,
        name=sub.name,
        row=row,
        tenant_id=tenant_id,
        attempts=0,
        error=None,
        next_at=None,
    )
