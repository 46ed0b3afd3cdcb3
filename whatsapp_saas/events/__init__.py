"""The event spine: typed domain events, live subscribers, and durable subscribers.

- Services record events with :func:`whatsapp_saas.db.announce_after_commit`; they are written
  to the ``events`` table in the same transaction (:mod:`.store`; a per-tenant sequence), so an
  event exists if and only if its transaction committed. ``live_only`` events (typing, QR
  codes) skip the table.
- Live subscribers (:mod:`.bus`): right after commit, in the committing process: the realtime
  push, the outbound waker, the Redis wake-up for durable runners (:mod:`.wiring`).
- Durable subscribers (:mod:`.subscriber`, :mod:`.runner`, :mod:`.spine`): a cursor each, every
  event at least once, in order per conversation, retried with backoff and parked when they
  keep failing; run by ``start_spine_runner`` beside the scheduler; looked at with
  ``python -m whatsapp_saas.events`` (:mod:`.cli`); pruned by :mod:`.retention`.
"""
