"""Inbound acks across the host/manager socket pair: the network forgets an event only once
the manager has committed it.

1. In the session host, the sink tracks each inbound event (message or receipt) under a token
   (:class:`PendingAcks`), sends ``("event", event, token)`` to the manager and returns the
   token's future to the driver, which acks the network when it resolves True.
2. In the manager, the event travels with a :data:`Settle` callback through the session runner
   into the inbound sink (the ingest pipeline), whose per-event future resolves after the
   batch's commit (:func:`settle_on`).
3. :class:`AckBatcher` gathers the tokens settled in one loop iteration and sends them back
   in one ``("ack", stored_tokens, lost_tokens)`` message, however many batches committed.

Every token is settled exactly once on the manager side: True after commit, False when the
event could not be stored or was dropped (no runner, handler error, shutdown). If the manager
dies, the host exits with it and the network redelivers everything unacked on the next connect.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import Callable, Iterable
from typing import Any

Settle = Callable[[bool], None]  # True: committed, ack it; False: not stored, keep it


# --- host side ------------------------------------------------------------------------------


class PendingAcks:
    """The outcome of every inbound event the manager has not settled yet, by token."""

    def __init__(self) -> None:
        self._tokens = itertools.count(1)
        self._waiting: dict[int, tuple[str, asyncio.Future[bool]]] = {}

    def __len__(self) -> int:
        return len(self._waiting)

    def track(self, session_id: str) -> tuple[int, asyncio.Future[bool]]:
        token = next(self._tokens)
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting[token] = (session_id, outcome)
        return token, outcome

    def settle(self, tokens: Iterable[int], stored: bool) -> None:
        for token in tokens:
            entry = self._waiting.pop(token, None)  # unknown: its session was dropped
            if entry is not None and not entry[1].done():
                entry[1].set_result(stored)

    def drop_session(self, session_id: str) -> None:
        """The session stopped: its events stay unacked on the network, which redelivers."""
        self.settle([t for t, (sid, _) in self._waiting.items() if sid == session_id], False)


# --- manager side ---------------------------------------------------------------------------


class AckBatcher:
    """Sends settled tokens to one host, one message per loop iteration."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None]) -> None:
        self._send = send
        self._stored: list[int] = []
        self._lost: list[int] = []
        self._scheduled = False

    def settler(self, token: int) -> Settle:
        return functools.partial(self.settle, token)

    def settle(self, token: int, stored: bool) -> None:
        (self._stored if stored else self._lost).append(token)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        stored, lost = self._stored, self._lost
        self._stored, self._lost = [], []
        if stored or lost:
            self._send(("ack", stored, lost))


def settle_on(outcome: asyncio.Future[bool] | None, settle: Settle) -> None:
    """Settle once the sink's outcome is known; a sink that returned None is done already."""
    if outcome is None:
        settle(True)
        return

    def done(future: asyncio.Future[bool]) -> None:
        settle(not future.cancelled() and future.exception() is None and bool(future.result()))

    outcome.add_done_callback(done)
