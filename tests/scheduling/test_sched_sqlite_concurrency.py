"""Embedded mode during a campaign: the scheduler, the sender and the inbox write to one SQLite
file at once, and nobody gets "database is locked" (the scheduler's "database unavailable;
retrying")."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sched_helpers import World, customer_writes, fast_scheduler, make_world
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from whatsapp_saas.db import get_engine, session_scope
from whatsapp_saas.inbox.models import Message, MessageStatus
from whatsapp_saas.inbox.status import advance_one
from whatsapp_saas.scheduling import campaigns as svc
from whatsapp_saas.scheduling.recurrence import utc_to_local
from whatsapp_saas.scheduling.schedules import create_schedule

ROUNDS = 25


@pytest.fixture
def lite(sqlite_url: str) -> Iterator[World]:
    from tests.conftest import _truncate_all, point_app_at
    from whatsapp_saas.bootstrap import bootstrap

    point_app_at(sqlite_url)
    _truncate_all(sqlite_url)
    bootstrap()
    yield make_world("Acme", "America/Sao_Paulo")


def test_the_engine_uses_wal_and_waits_for_locks(lite: World) -> None:
    with get_engine().connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert int(conn.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 5000


def _loop(errors: list[BaseException], work: Callable[[int], None]) -> threading.Thread:
    def run() -> None:
        for i in range(ROUNDS):
            try:
                work(i)
            except OperationalError as exc:  # "database is locked"
                errors.append(exc)

    return threading.Thread(target=run)


def test_scheduler_sender_and_inbox_write_at_once(lite: World) -> None:
    csv = "\n".join(f"+55119888850{i:02d}" for i in range(60))
    with session_scope() as session:
        draft = svc.create_campaign(
            lite.scope(session), name="Promo", number_id=lite.number_id, text="Oi {{nome}}",
            csv_text=csv,
        )  # fmt: skip
        draft.campaign.batch_size = 5
        svc.start_campaign(lite.scope(session), campaign_id=draft.campaign.id or 0)
    scheduler = fast_scheduler()
    errors: list[BaseException] = []

    def scheduler_pass(_i: int) -> None:
        scheduler.dispatch(datetime.now(UTC))

    def sender(_i: int) -> None:  # the delivery worker: queued -> sent, one by one
        with session_scope() as session:
            ids = session.exec(
                select(Message.id).where(col(Message.status) == MessageStatus.QUEUED.value)
            ).all()
        for message_id in ids[:5]:
            with session_scope() as session:
                advance_one(
                    session,
                    message_id=message_id or 0,
                    new=MessageStatus.SENT,
                    at=datetime.now(UTC),
                )

    def inbox(i: int) -> None:  # customers answer, attendants schedule
        customer_writes(lite, f"Oi {i}")
        with session_scope() as session:
            create_schedule(
                lite.scope(session), actor=lite.owner, number_id=lite.number_id,
                contact_id=lite.contact_ids[1], text=f"Lembrete {i}",
                when_local=utc_to_local(datetime.now(UTC) + timedelta(hours=1), lite.timezone),
            )  # fmt: skip

    threads = [_loop(errors, w) for w in (scheduler_pass, sender, inbox)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
