"""``python -m whatsapp_saas.events``: look at the durable subscribers and their held events.

    python -m whatsapp_saas.events status            subscribers, lag, held and parked counts
    python -m whatsapp_saas.events parked [NAME]     parked events with their errors
    python -m whatsapp_saas.events retry NAME ID     try a parked event again (at once)
    python -m whatsapp_saas.events skip NAME ID      give up on a held event (never handled)
    python -m whatsapp_saas.events drain             run every subscriber until caught up
    python -m whatsapp_saas.events prune             prune now (EVENTS_RETENTION_HOURS)
    python -m whatsapp_saas.events forget NAME       drop a subscriber that no longer exists

This module is an entry point: it builds its graph through :mod:`whatsapp_saas.bootstrap`.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from whatsapp_saas.db import session_scope
from whatsapp_saas.events import queries as q
from whatsapp_saas.events.retention import prune
from whatsapp_saas.events.runner import DurableRunner
from whatsapp_saas.events.subscriber import Subscriber


@dataclass(frozen=True)
class SubscriberStatus:
    name: str
    lag: int  # stored events not passed yet, over every tenant
    held: int
    parked: int
    in_code: bool


def status(session: Session, *, known: list[str]) -> list[SubscriberStatus]:
    stored = [r[0] for r in session.execute(sa.text("SELECT name FROM event_subscribers"))]
    found = []
    for name in sorted(set(stored) | set(known)):
        lag = sum(head - cursor for _, head, cursor in q.lagging_tenants(session, name=name))
        held, parked = session.execute(
            sa.text(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN parked THEN 1 ELSE 0 END), 0) "
                "FROM event_holds WHERE subscriber = :n"
            ),
            {"n": name},
        ).one()
        found.append(SubscriberStatus(name, lag, int(held), int(parked), name in known))
    return found


def parked(session: Session, *, name: str | None = None) -> list[Any]:
    h = q.HOLDS
    query = sa.select(h).where(h.c.parked.is_(True)).order_by(h.c.subscriber, h.c.event_id)
    if name:
        query = query.where(h.c.subscriber == name)
    return list(session.execute(query).all())


def retry(session: Session, *, name: str, event_id: int) -> bool:
    """Un-park: the runner tries it on its next pass, with a fresh set of attempts."""
    return (
        q.update_hold(
            session, name=name, event_id=event_id, parked=False, attempts=0, next_attempt_at=None
        )
        > 0
    )


def skip(session: Session, *, name: str, event_id: int) -> bool:
    h = q.HOLDS
    stmt = sa.delete(h).where(h.c.subscriber == name, h.c.event_id == event_id)
    return int(session.execute(stmt).rowcount) > 0  # type: ignore[attr-defined]


def forget(session: Session, *, name: str) -> None:
    for table in ("event_holds", "event_cursors"):
        session.execute(sa.text(f"DELETE FROM {table} WHERE subscriber = :n"), {"n": name})
    session.execute(sa.text("DELETE FROM event_subscribers WHERE name = :n"), {"n": name})


def drain(subscribers: list[Subscriber] | None = None) -> int:
    """Run the process's durable subscribers until nothing is due (tests, the CLI)."""
    from whatsapp_saas.bootstrap import durable_subscribers, event_registry

    runner = DurableRunner(subscribers or durable_subscribers(), event_registry())
    return runner.drain()


def main(argv: list[str] | None = None) -> int:
    from whatsapp_saas.bootstrap import bootstrap, durable_subscribers
    from whatsapp_saas.config import get_settings

    parser = argparse.ArgumentParser(prog="python -m whatsapp_saas.events")
    parser.add_argument("command", choices=["status", "parked", "retry", "skip", "drain",
                                            "prune", "forget"])  # fmt: skip
    parser.add_argument("name", nargs="?")
    parser.add_argument("event_id", nargs="?", type=int)
    args = parser.parse_args(argv)
    bootstrap()
    known = [s.name for s in durable_subscribers()]
    if args.command == "drain":
        print(f"{drain()} events passed")
        return 0
    with session_scope() as session:
        return _run(session, args, known, get_settings().events_retention_hours)


def _run(session: Session, args: argparse.Namespace, known: list[str], hours: float) -> int:
    if args.command == "status":
        print(f"{'subscriber':<28} {'lag':>8} {'held':>6} {'parked':>6}")
        for s in status(session, known=known):
            note = "" if s.in_code else "  (not in this code: `forget` it)"
            print(f"{s.name:<28} {s.lag:>8} {s.held:>6} {s.parked:>6}{note}")
    elif args.command == "parked":
        for row in parked(session, name=args.name):
            print(f"{row.subscriber}  event {row.event_id}  tenant {row.tenant_id}  "
                  f"conversation {row.conversation_id}  attempts {row.attempts}\n"
                  f"    {row.last_error}")  # fmt: skip
    elif args.command in ("retry", "skip"):
        if not args.name or args.event_id is None:
            print(f"usage: {args.command} SUBSCRIBER EVENT_ID")
            return 2
        done = (retry if args.command == "retry" else skip)(
            session, name=args.name, event_id=args.event_id
        )
        print("done" if done else "no such held event")
        return 0 if done else 1
    elif args.command == "prune":
        print(f"{prune(session, grace=timedelta(hours=hours))} events pruned")
    elif args.command == "forget" and args.name:
        forget(session, name=args.name)
        print(f"forgot {args.name}")
    return 0
