"""What a durable subscriber is: a name, the event types it wants, an idempotent handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class Delivery:
    """One stored event handed to a durable subscriber: its ids, and the event itself."""

    event_id: int
    tenant_id: int
    seq: int
    conversation_id: int | None
    event: Any


# Called inside the runner's transaction, which also moves the subscriber's cursor: what the
# handler writes with ``session`` happens exactly once. Anything else it does (a webhook, a
# job) may be repeated after a crash, so it must be idempotent: re-read rows by id, and let a
# second call find nothing left to do. Raise to have the events retried.
Handler = Callable[[Session, list[Delivery]], None]


@dataclass(frozen=True, slots=True)
class Subscriber:
    name: str
    types: tuple[type, ...]
    handle: Handler
    batch_size: int = 200
    max_attempts: int = 5  # then the event is parked
    backoff: float = 1.0  # seconds before the first retry, doubled at each failure
    backoff_cap: float = 300.0

    def delay(self, attempts: int) -> float:
        return float(min(self.backoff_cap, self.backoff * 2 ** max(0, attempts - 1)))
