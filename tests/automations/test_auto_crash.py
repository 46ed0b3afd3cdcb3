"""kill -9 between the trigger and the send: the simulated customer writes the keyword, the
rule's reply still reaches the simulated phone exactly once.

Embedded mode (SQLite, no Redis): one process runs the manager, the spine runner with the
automations subscriber, and the outbox's sender, as the web app does. Two kill points:

- ``before_commit``: the subscriber judged the message and queued the reply, inside the
  runner's transaction, and the process dies before that commits (nothing was recorded: the
  event comes again after the restart and fires then);
- ``after_commit``: the ``automation_runs`` row and the queued reply committed, but this
  process does not send (started without delivery) and dies; the restarted app sends the
  queued reply, and the spine does not fire the rule again.

The production topology (PostgreSQL + Redis: manager, scheduler with the spine runner, and a
taskiq worker as separate processes, each kill point its own case) is
``test_auto_crash_redis.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import _truncate_all, migrate, point_app_at
from tests.delivery.dlv_helpers import make_tenant, random_phone
from tests.delivery.dlv_live import inboxes, link_numbers, wait_until
from tests.delivery.dlv_procs import Children, env_for, kill_tree, log_tail
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.automations import service
from whatsapp_saas.bootstrap import bootstrap
from whatsapp_saas.db import session_scope
from whatsapp_saas.tenancy.scope import TenantScope

pytestmark = pytest.mark.slow

APP = ["-m", "tests.automations.auto_crash_app"]
REPLY = "Tabela de preços: R$ 10"


@pytest.fixture
def embedded_db(tmp_path: Path, sim_url: str) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    point_app_at(url)
    _truncate_all(url)
    bootstrap()
    return url


def _env(db_url: str, sim_url: str) -> dict[str, str]:
    return env_for(
        DATABASE_URL=db_url,
        REDIS_URL=None,
        SIMULATOR_URL=sim_url,
        WHATSAPP_DRIVER="simulator",
        EVENTS_POLL_SECONDS="0.5",
        MANAGER_LEASE_TTL="3",
        MANAGER_RECONCILE_INTERVAL="0.3",
        MANAGER_SNAPSHOT_DEBOUNCE="0.3",
        MANAGER_BACKOFF_BASE="0.2",
        DELIVERY_GOVERNOR_ENABLED="false",
        DELIVERY_SENDING_TIMEOUT="4",
        DELIVERY_LOST_AFTER="1",
        DELIVERY_SWEEP_INTERVAL="0.3",
    )


def _count(sql: str) -> int:
    with session_scope() as session:
        return int(session.execute(sa.text(sql)).scalar_one())


def _replies(status: str | None = None) -> int:
    where = f" AND status = '{status}'" if status else ""
    return _count(f"SELECT COUNT(*) FROM messages WHERE sent_by = 'automation'{where}")


def _runs() -> int:
    return _count("SELECT COUNT(*) FROM automation_runs WHERE status = 'fired'")


def _add_rule(tenant_id: int) -> None:
    owner = CurrentUser(1, tenant_id, "Acme", "Owner", "o@acme.io", "owner", "en", "UTC")
    with session_scope() as session:
        service.save_rule(
            TenantScope(session, tenant_id),
            actor=owner,
            name="Preço",
            trigger={"type": "keyword", "match": "contains", "keyword": "preco"},
            conditions=[],
            actions=[{"type": "send_message", "message": REPLY}],
        )


async def _customer_writes(sim_url: str, customer: str, business: str) -> None:
    async with httpx.AsyncClient(base_url=sim_url) as client:
        sent = await client.post(
            "/sim/messages",
            json={"from": customer, "to": business, "text": "Qual o PREÇO?", "push_name": "Ana"},
        )
        assert sent.status_code < 300, sent.text


async def _on_phone(sim_url: str, customer: str) -> int:
    received = await inboxes(sim_url, [customer])
    return [m["text"] for m in received[customer]["messages"]].count(REPLY)


@pytest.mark.parametrize("kill_at", ["before_commit", "after_commit"])
async def test_kill_9_between_trigger_and_send_replies_exactly_once(
    embedded_db: str, sim_url: str, tmp_path: Path, kill_at: str
) -> None:
    children = Children(tmp_path)
    env = _env(embedded_db, sim_url)
    marker = tmp_path / "judged"
    first = ["--stall", str(marker)] if kill_at == "before_commit" else ["--no-delivery"]
    app = children.spawn([sys.executable, *APP, *first], env, "app")
    try:
        tenant_id = make_tenant()
        _add_rule(tenant_id)
        ((_number_id, business),) = await link_numbers(sim_url, tenant_id, 1)
        customer = random_phone()
        await _customer_writes(sim_url, customer, business)
        if kill_at == "before_commit":
            await wait_until(lambda: marker.exists() or None, 60, "rule judged")
        else:
            await wait_until(lambda: _runs() or None, 60, "run committed")
        kill_tree(app.pid)
        app.wait(10)
        at_kill = (_runs(), _replies(), await _on_phone(sim_url, customer))
        if kill_at == "before_commit":
            assert at_kill == (0, 0, 0), "nothing of the judged message was committed"
        else:
            assert at_kill == (1, 1, 0), "the reply was queued, never sent"
        children.spawn([sys.executable, *APP], env, "app-restarted")
        await wait_until(lambda: _replies("sent") or None, 90, "reply sent")
        time.sleep(2.0)  # a repeat, were there one, would show up now
        on_phone = await _on_phone(sim_url, customer)
    except BaseException:
        print(log_tail(tmp_path))
        raise
    finally:
        children.stop_all()
    print(f"\n{kill_at}: at the kill (runs, replies, on phone) = {at_kill}")
    assert on_phone == 1, "the reply reached the phone exactly once"
    assert _runs() == 1 and _replies() == 1
