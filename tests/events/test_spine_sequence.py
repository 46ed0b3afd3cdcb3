"""Per-tenant sequence numbers under concurrent writers (PostgreSQL): unique, gap-free, and
visible in order, so a cursor on them never skips an event."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from conftest import Shop
from spine_helpers import rows

from whatsapp_saas.db import announce_after_commit, session_scope
from whatsapp_saas.inbox.events import MessageDelivered

WRITERS, COMMITS, PER_COMMIT = 6, 40, 3
AT = datetime(2026, 12, 2, tzinfo=UTC)


def test_concurrent_writers_get_a_monotonic_gap_free_sequence(pg_shop: Shop) -> None:
    tenant = pg_shop.tenant_id
    errors: list[BaseException] = []
    seen_gaps: list[tuple[int, int]] = []
    done = threading.Event()

    def writer(w: int) -> None:
        try:
            for c in range(COMMITS):
                with session_scope() as session:
                    events = [
                        MessageDelivered(tenant, w * 10_000 + c * 10 + k, w, 1, "delivered", AT)
                        for k in range(PER_COMMIT)
                    ]
                    announce_after_commit(session, *events)
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        # What a durable runner sees at any moment is always a prefix 1..n: never n+1 before n.
        while not done.is_set():
            seqs = [r.seq for r in rows("SELECT seq FROM events WHERE tenant_id = :t", t=tenant)]
            if seqs and sorted(seqs) != list(range(1, len(seqs) + 1)):
                seen_gaps.append((len(seqs), max(seqs)))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    watcher.join()
    assert errors == []
    stored = rows("SELECT seq, payload FROM events WHERE tenant_id = :t ORDER BY seq", t=tenant)
    total = WRITERS * COMMITS * PER_COMMIT
    assert [r.seq for r in stored] == list(range(1, total + 1))
    assert seen_gaps == []
    # A transaction's events are consecutive and in the order it announced them.
    by_commit: dict[int, list[int]] = {}
    for r in stored:
        message_id = int(r.payload["message_id"])
        by_commit.setdefault(message_id // 10, []).append(r.seq)
    assert all(s == list(range(s[0], s[0] + PER_COMMIT)) for s in by_commit.values())
    (head,) = rows("SELECT last_seq FROM event_sequences WHERE tenant_id = :t", t=tenant)
    assert head.last_seq == total
