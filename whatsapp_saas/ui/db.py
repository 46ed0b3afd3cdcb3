"""Run blocking service calls (SQL, argon2) off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from whatsapp_saas.db import session_scope

T = TypeVar("T")


async def in_session(work: Callable[[Session], T]) -> T:
    """Run ``work`` in a unit of work on a worker thread and return its result."""

    def run() -> T:
        with session_scope() as session:
            return work(session)

    return await asyncio.to_thread(run)
