"""Live updates to many open inboxes: latency, misses, DB transactions and CPU per message.

Starts the app in embedded mode (one web worker, PostgreSQL, the in-process simulator), links
a number through the simulator, and opens N inboxes of the tenant as socket.io clients (no
browser each; see /work/shared/notes/reflex-protocol.md). Half are the owner, half an agent.
Customers (20 phones) then write at a steady rate through ``/sim/messages``. For each message
and viewer it records when the viewer's conversation list first showed it (its row's preview
carrying the message's marker, or a later message of the same customer that replaced it).

Reported per run: p50/p99 latency (inbound accepted → viewer's delta), messages some viewer
never saw, DB transactions and tuples read per inbound message (pg_stat_database), and the
CPU seconds of the app's processes. Runs for 1, 10 and 50 viewers with 1,000 stored messages,
then 1 and 50 again with 100,000. Benchmarks report figures and ratios, never pass/fail.
Usage: python bench/bench_realtime.py [seconds] [rate]
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import secrets
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())

import httpx  # noqa: E402
import psycopg  # noqa: E402
import socketio  # noqa: E402

from tests.browser.conftest import live_app_process  # noqa: E402
from tests.conftest import point_app_at  # noqa: E402
from tests.realtime.conftest import make_team  # noqa: E402
from tests.realtime.live_inbox import INBOX, link_number  # noqa: E402
from tests.realtime.socket_tab import Tab  # noqa: E402

NAMESPACE = "/_event"
MARKER = re.compile(r"LAT(\d+)X")
CUSTOMERS = 20
DRAIN_S = 10.0


@dataclass
class Viewer:
    """One open inbox: a socket.io client that stamps each marker's first arrival."""

    url: str
    session_token: str
    client_token: str = field(default_factory=lambda: str(uuid.uuid4()))
    seen: dict[int, float] = field(default_factory=dict)
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_event, namespace=NAMESPACE)

    def _on_event(self, update: Any) -> None:
        now = time.time()
        self.answered.set()
        delta = update.get("delta") if isinstance(update, dict) else None
        if not delta or INBOX not in delta:
            return
        rows = delta[INBOX].get("conversations_rx_state_") or []
        for match in MARKER.finditer(" ".join(str(row.get("preview", "")) for row in rows)):
            self._saw(int(match.group(1)), now)

    def _saw(self, marker: int, now: float) -> None:
        """A list row shows its conversation's newest message, as WhatsApp's does: the row
        that shows a customer's message also stands for their earlier ones it replaced."""
        while marker >= 0 and marker not in self.seen:
            self.seen[marker] = now
            marker -= CUSTOMERS

    async def open(self) -> None:
        await self.sio.connect(
            f"{self.url}?token={self.client_token}",
            headers={"Cookie": f"wa_session={self.session_token}"},
            transports=["websocket"],
            namespaces=[NAMESPACE],
            socketio_path="/_event",
        )
        self.answered.clear()
        event = {
            "name": f"{INBOX}.load",
            "payload": {},
            "router_data": {"pathname": "/inbox", "query": {}, "asPath": "/inbox"},
        }
        await self.sio.emit("event", event, namespace=NAMESPACE)
        await asyncio.wait_for(self.answered.wait(), timeout=60)

    async def close(self) -> None:
        await self.sio.disconnect()


def app_cpu_seconds(app_pid: int) -> float:
    """User + system CPU of every process in the app's process group (the web worker, and
    the reflex launcher around it)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == app_pid:  # pgrp: the app runs in its own session/group
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def app_group() -> int:
    """The app's process group: our child that started its own session."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and int(fields[2]) == int(entry.name):
                return int(entry.name)
    raise RuntimeError("the app's process was not found")


def db_counters(url: str) -> tuple[int, int]:
    """(transactions committed, tuples read) of the app's database so far."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit, tup_returned + tup_fetched FROM pg_stat_database"
            " WHERE datname = %s",
            (name,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def index_reads(url: str) -> dict[str, int]:
    """Tuples read per index and per table's sequential scans: where the reads go."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        rows = conn.execute(
            "SELECT indexrelname, idx_tup_read FROM pg_stat_user_indexes UNION ALL"
            " SELECT relname || ' (seq)', seq_tup_read FROM pg_stat_user_tables"
        ).fetchall()
    return {str(name): int(count) for name, count in rows}


def top_reads(before: dict[str, int], after: dict[str, int], messages: int) -> str:
    deltas = sorted(((after[k] - before.get(k, 0), k) for k in after), reverse=True)[:4]
    return ", ".join(f"{name} {count / max(messages, 1):.0f}" for count, name in deltas if count)


def store_history(url: str, tenant_id: int, total: int) -> None:
    """Bring the tenant to ``total`` stored messages, in 1,000 conversations of its number."""
    with psycopg.connect(url, autocommit=True) as conn:
        have = conn.execute(
            "SELECT count(*) FROM messages WHERE tenant_id = %s", (tenant_id,)
        ).fetchone()[0]  # type: ignore[index]
        number_id = conn.execute(
            "SELECT id FROM whatsapp_numbers WHERE tenant_id = %s ORDER BY id LIMIT 1",
            (tenant_id,),
        ).fetchone()[0]  # type: ignore[index]
        conversations = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM conversations WHERE tenant_id = %s AND contact_id IN"
                " (SELECT id FROM contacts WHERE push_name LIKE 'Old %%')",
                (tenant_id,),
            ).fetchall()
        ]
        if not conversations:
            conn.execute(
                "INSERT INTO contacts (tenant_id, push_name, phone, tags, created_at, updated_at)"
                " SELECT %s, 'Old ' || g, '+55218' || lpad(g::text, 8, '0'), '[]', now(), now()"
                " FROM generate_series(1, 1000) g",
                (tenant_id,),
            )
            conn.execute(
                "INSERT INTO conversations (tenant_id, number_id, contact_id, status,"
                " unread_count, last_message_preview, last_message_at, created_at)"
                " SELECT %s, %s, id, 'open', 0, 'old', now() - interval '30 days', now()"
                " FROM contacts WHERE tenant_id = %s AND push_name LIKE 'Old %%'",
                (tenant_id, number_id, tenant_id),
            )
            conn.execute("ANALYZE")
            return store_history(url, tenant_id, total)
        missing = total - int(have)
        if missing <= 0:
            return None
        first = min(conversations)
        conn.execute(
            "INSERT INTO messages (tenant_id, conversation_id, number_id, wa_message_id,"
            " direction, type, body, reactions, media_attempts, status, is_internal_note,"
            " created_at)"
            " SELECT %s, %s + g %% %s, %s, 'H' || %s || '-' || g,"
            " CASE WHEN g %% 2 = 0 THEN 'in' ELSE 'out' END, 'text', 'old message ' || g,"
            " '{}', 0, 'read', false, now() - interval '30 days'"
            " FROM generate_series(1, %s) g",
            (tenant_id, first, len(conversations), number_id, secrets.token_hex(3), missing),
        )
        # History that was there all along: the opt-out scanner had read past it long ago
        # (otherwise the run would time its catch-up), and autovacuum had analysed it.
        conn.execute(
            "UPDATE scheduler_state SET cursor = (SELECT max(id) FROM messages)"
            " WHERE name = 'optout-scan'"
        )
        conn.execute("VACUUM ANALYZE")
    return None


@dataclass
class Result:
    viewers: int
    stored: int
    messages: int
    latencies: list[float]
    unseen: int
    xact_per_msg: float
    tuples_per_msg: float
    cpu_s: float

    def row(self) -> str:
        lat = sorted(self.latencies) or [float("nan")]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return (
            f"| {self.viewers:>3} | {self.stored:>7,} | {statistics.median(lat):>6.0f} ms"
            f" | {p99:>6.0f} ms | {self.unseen:>3} of {self.messages} | {self.xact_per_msg:>5.1f}"
            f" | {self.tuples_per_msg:>7.0f} | {self.cpu_s:>5.1f} s"
            f" | {1000 * self.cpu_s / max(self.messages, 1):>5.1f} ms |"
        )


async def send_all(
    simulator: str, business: str, count: int, rate: float, start: int
) -> dict[int, float]:
    sent: dict[int, float] = {}
    customers = ["+55219" + f"{9000000 + i:08d}"[-8:] for i in range(CUSTOMERS)]
    async with httpx.AsyncClient(base_url=simulator, timeout=10) as client:
        began = time.perf_counter()
        for index in range(count):
            due = began + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            marker = start + index
            body = {
                "from": customers[marker % CUSTOMERS],
                "to": business,
                "text": f"pedido LAT{marker}X",  # the preview shows it
                "push_name": f"Cliente {marker % CUSTOMERS}",
            }
            response = await client.post("/sim/messages", json=body)
            response.raise_for_status()
            sent[marker] = time.time()  # accepted: the simulator took it
    return sent


async def measure(
    app: Any,
    business: str,
    tokens: list[str],
    viewers: int,
    stored: int,
    seconds: float,
    rate: float,
    start: int,
) -> Result:
    tabs = [Viewer(app.url, tokens[i % len(tokens)]) for i in range(viewers)]
    for tab in tabs:
        await tab.open()
    await asyncio.sleep(2)
    group = app_group()
    xact0, tup0 = db_counters(app.database_url)
    reads0 = index_reads(app.database_url)
    cpu0, client0 = app_cpu_seconds(group), time.process_time()
    count = int(seconds * rate)
    sent = await send_all(app.simulator_url, business, count, rate, start)
    deadline = time.time() + DRAIN_S
    while time.time() < deadline and not all(len(t.seen) >= count for t in tabs):
        await asyncio.sleep(0.2)
    cpu, client = app_cpu_seconds(group) - cpu0, time.process_time() - client0
    await asyncio.sleep(1.5)  # the statistics collector flushes about once a second
    xact1, tup1 = db_counters(app.database_url)
    reads = top_reads(reads0, index_reads(app.database_url), count)
    latencies = [1000 * (t.seen[m] - at) for t in tabs for m, at in sent.items() if m in t.seen]
    unseen = sum(1 for m in sent if any(m not in t.seen for t in tabs))
    for tab in tabs:
        await tab.close()
    await asyncio.sleep(1)
    print(
        f"  n={viewers} stored={stored}: client CPU {client:.1f} s; tuples per message by"
        f" index: {reads}",
        flush=True,
    )
    return Result(
        viewers,
        stored,
        count,
        latencies,
        unseen,
        (xact1 - xact0) / count,
        (tup1 - tup0) / count,
        cpu,
    )


async def run(seconds: float, rate: float) -> list[Result]:
    results: list[Result] = []
    with live_app_process(Path("/tmp") / f"bench-realtime-{os.getpid()}") as app:
        point_app_at(app.database_url)
        team = make_team()
        owner = Tab(app.url)
        await owner.connect()
        await owner.sign_in(team.owner.session_token)
        business = await link_number(owner, app.simulator_url, team.owner.tenant_id)
        await owner.sio.disconnect()
        tokens = [team.owner.session_token, team.agent.session_token]
        marker = 0
        plan = [(1_000, (1, 10, 50)), (100_000, (1, 50))]
        for stored, sizes in plan:
            store_history(app.database_url, team.owner.tenant_id, stored)
            for viewers in sizes:
                result = await measure(
                    app, business, tokens, viewers, stored, seconds, rate, marker
                )
                marker += result.messages
                print(result.row(), flush=True)
                results.append(result)
    return results


def report(results: list[Result], rate: float) -> None:
    print(f"\nopen inboxes of one tenant, inbound at {rate:.0f} msg/s (embedded mode):")
    print("| inboxes | stored | p50 | p99 | unseen | xact/msg | tuples/msg | app CPU | CPU/msg |")
    print("|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    by = {(r.viewers, r.stored): r for r in results}
    one, fifty = by.get((1, 1_000)), by.get((50, 1_000))
    if one and fifty:
        xacts = [f"{by[(n, 1_000)].xact_per_msg:.1f}" for n in (1, 10, 50) if (n, 1_000) in by]
        print(
            f"CPU per message at 50 / at 1: {fifty.cpu_s / max(one.cpu_s, 1e-9):.2f}x;"
            f" transactions per message at 1/10/50: {' / '.join(xacts)}"
        )
    big = by.get((50, 100_000))
    if fifty and big:
        print(
            f"100,000 vs 1,000 stored, 50 inboxes: tuples/msg"
            f" {big.tuples_per_msg / max(fifty.tuples_per_msg, 1e-9):.2f}x,"
            f" CPU/msg {big.cpu_s / max(fifty.cpu_s, 1e-9):.2f}x"
        )


if __name__ == "__main__":
    SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 15.0
    RATE = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    report(asyncio.run(run(SECONDS, RATE)), RATE)
