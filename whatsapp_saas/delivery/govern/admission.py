"""What the governor asks of a limiter: an admission request, its verdict, and the protocol
the Redis and the database limiters both implement.

A send occupies a slot of its number's sliding window from admission until it completes: while
in flight its slot is dated "admission + in-flight allowance", and :meth:`done` re-dates it to
the completion time. Any two sends that reach WhatsApp less than a window apart were therefore
both counted when the later one was admitted, so no window on the recipient's side can hold
more than the limit, whatever the network delays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from whatsapp_saas.delivery.govern.policy import Limits


class Why(StrEnum):
    RATE = "rate"
    GAP = "gap"
    TENANT_MINUTE = "tenant_minute"
    DAILY_CAP = "daily_cap"
    TENANT_DAY = "tenant_day"
    QUIET = "quiet_hours"


@dataclass(frozen=True, slots=True)
class Admission:
    tenant_id: int
    number_id: int
    message_id: int
    member: str  # unique per attempt: every attempt occupies its own slot
    bulk: bool
    limits: Limits
    gap: float  # seconds until the next bulk send of this number, jitter included
    day_start: datetime
    day_end: datetime


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    wait: float = 0.0  # seconds, when not ok and the wait is known
    why: Why | None = None
    ticket: Any = None  # what done() needs


class Limiter(Protocol):
    async def admit_many(self, requests: list[Admission], inflight: float) -> list[Verdict]: ...

    async def done(self, admitted: list[tuple[Admission, Any]]) -> None: ...
