"""Ingest: inbound events become rows, one transaction per event or per batch.

:func:`ingest_event` and :func:`ingest_batch` are blocking (run them in a thread from async
code); :mod:`whatsapp_saas.inbox.ingest_pipeline` does that, batches when busy, and runs the media
downloads and the automation hooks after commit. Domain events reach the bus after commit.

A batch that fails on a lost connection is retried a few times and then handed back as
``unavailable`` (the pipeline keeps it and tries again); a batch that fails for any other reason
is split, so one bad event never takes its neighbours down with it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import DBAPIError, OperationalError

from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.ingest_batch import BatchOutcome, apply_batch
from whatsapp_saas.whatsapp.events import InboundMessageArrived, ReceiptArrived

log = logging.getLogger(__name__)

Persistable = InboundMessageArrived | ReceiptArrived
TRANSIENT_RETRIES = 3
TRANSIENT_DELAY = 0.5


@dataclass
class IngestResult:
    outcome: BatchOutcome = field(default_factory=BatchOutcome)
    failed: list[Persistable] = field(default_factory=list)  # could not be stored, ever
    # The database was unreachable: nothing is wrong with these, try them again later.
    retry: list[Persistable] = field(default_factory=list)

    def absorb(self, other: IngestResult) -> None:
        mine, theirs = self.outcome, other.outcome
        mine.stored += theirs.stored
        mine.conversations += theirs.conversations
        mine.statuses += theirs.statuses
        mine.media_message_ids += theirs.media_message_ids
        mine.duplicates += theirs.duplicates
        mine.skipped += theirs.skipped
        self.failed += other.failed
        self.retry += other.retry


def ingest_event(event: Persistable) -> IngestResult:
    """One inbound event in one transaction: contact, conversation, message, counters."""
    return ingest_batch([event])


def ingest_batch(events: Sequence[Persistable]) -> IngestResult:
    """Many inbound events in one transaction (what the pipeline does when busy)."""
    if not events:
        return IngestResult()
    error: BaseException | None = None
    for attempt in range(TRANSIENT_RETRIES + 1):
        try:
            with session_scope() as session:
                return IngestResult(apply_batch(session, events=events))
        except DBAPIError as exc:
            error = exc
            if not _transient(exc):
                break
            if attempt == TRANSIENT_RETRIES:
                log.error("ingest: database unavailable, %d events wait", len(events))
                return IngestResult(retry=list(events))
            log.warning("ingest: database unavailable (%s), retrying", type(exc).__name__)
            time.sleep(TRANSIENT_DELAY * (attempt + 1))
        except Exception as exc:
            error = exc
            break
    if len(events) == 1:
        log.error("ingest: event %r could not be stored", events[0], exc_info=error)
        return IngestResult(failed=list(events))
    return _split(events)


def _split(events: Sequence[Persistable]) -> IngestResult:
    result = IngestResult()
    middle = len(events) // 2
    for half in (events[:middle], events[middle:]):
        result.absorb(ingest_batch(half))
    return result


def _transient(exc: DBAPIError) -> bool:
    # Serialization failures and deadlocks (40001/40P01) are worth a retry; so is a lost link.
    code = getattr(exc.orig, "sqlstate", None)
    return (
        exc.connection_invalidated
        or code in ("40001", "40P01")
        or isinstance(exc, OperationalError)
    )
