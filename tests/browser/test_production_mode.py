"""Production layout in the browser: Redis, two web workers, a separate taskiq worker.

Three attendants (three browser contexts, spread over the web workers) see a customer's
message live, and a reply leaves through the taskiq worker and the number's owning manager.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, expect

from tests.browser.conftest import RunningApp, app_copy, live_app_process
from tests.browser.helpers import sign_in, sign_up, unique_email
from tests.browser.test_inbox_flow import (
    _wait_for,
    customer_phone,
    linked_business,
    phone_texts,
    sim_post,
)

pytestmark = pytest.mark.browser

REDIS_URL = os.environ.get("TEST_PRODUCTION_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture(scope="module")
def redis_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    redis.Redis.from_url(REDIS_URL).flushdb()  # this database is reserved for this module
    data_dir = tmp_path_factory.mktemp("redisapp")
    # Its own copy of the sources: the other browser tests' app keeps serving from .web.
    root = app_copy(tmp_path_factory.mktemp("redisroot") / "app")
    with live_app_process(data_dir, root, REDIS_URL=REDIS_URL, GRANIAN_WORKERS="2") as app:
        worker = _taskiq_worker(app, root, data_dir / "worker.log")
        try:
            yield app
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)


def _taskiq_worker(app: RunningApp, root: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, REDIS_URL=REDIS_URL, DATABASE_URL=app.database_url, APP_ENV="test")
    command = [
        str(Path(sys.executable).parent / "taskiq"),
        "worker",
        "whatsapp_saas.delivery.worker.broker:broker",
        "whatsapp_saas.delivery.worker.tasks",
        "--workers=1",
        "--max-prefetch=0",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def test_live_inbox_and_delivery_across_workers(browser: Browser, redis_app: RunningApp) -> None:
    email = unique_email("owner")
    owner = browser.new_page(locale="en-US")
    sign_up(owner, redis_app.url, company="Loja", name="Olivia", email=email)
    business = linked_business(owner, redis_app, "Vendas")
    # Each web worker runs its own manager node: two send agents, one number's lease.
    _wait_for(lambda: len(_send_agents()) == 2, timeout=20)
    attendants = []
    for _ in range(3):
        page = browser.new_context(locale="en-US").new_page()
        sign_in(page, redis_app.url, email)
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        page.get_by_role("link", name="Inbox").click()
        attendants.append(page)

    customer = customer_phone()
    sim_post(
        redis_app,
        "/sim/messages",
        {"from": customer, "to": business, "text": "Oi!", "push_name": "Rita"},
    )
    for page in attendants:
        item = page.get_by_test_id("conversation-item").filter(has_text="Rita")
        expect(item).to_contain_text("Oi!", timeout=15_000)

    first = attendants[0]
    first.get_by_test_id("conversation-item").filter(has_text="Rita").click()
    first.get_by_placeholder("Type a message").fill("Olá Rita, tudo bem?")
    first.get_by_role("button", name="Send").click()
    _wait_for(lambda: "Olá Rita, tudo bem?" in phone_texts(redis_app, customer), timeout=30)
    expect(first.get_by_test_id("message-tick").last).to_have_text("✓", timeout=20_000)


def _send_agents() -> list[bytes]:
    """The live send agents' heartbeat keys. Granian forks its workers after the app module
    built the graph; nodes named before the fork shared one id, so both workers ran the
    number's session and a reply went to whichever agent popped it (often the logged-out one)."""
    return list(redis.Redis.from_url(REDIS_URL).scan_iter(match="*:dlv:agent:*"))
