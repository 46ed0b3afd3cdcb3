"""End-to-end latency: POST /sim/messages → text visible in 3 open inboxes (Chromium).

Starts the app with a throwaway PostgreSQL database, links a simulated number, opens the
Inbox in three browser pages on the customer's conversation, then sends messages at a steady
rate (default 20 msg/s). A MutationObserver in each page stamps the moment each message's
marker first appears in the chat window; we report p50/p99 over all pages.
Usage: python bench/bench_inbox_latency.py [messages] [rate]
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, live_app_process  # noqa: E402
from tests.browser.helpers import sign_in, sign_up  # noqa: E402
from tests.browser.test_inbox_flow import linked_business  # noqa: E402

OBSERVER = """
() => {
  window.__seen = {};
  const scan = () => {
    const text = document.body.innerText;
    for (const m of text.matchAll(/LAT\\d+X/g)) {
      if (!(m[0] in window.__seen)) window.__seen[m[0]] = Date.now();
    }
  };
  const watch = {subtree: true, childList: true, characterData: true};
  new MutationObserver(scan).observe(document.body, watch);
}
"""


def _post(url: str, body: dict[str, str]) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=10).read()


def _send_all(
    simulator: str, business: str, count: int, rate: float, sent: dict[str, float]
) -> None:
    customer = "+5521988880000"
    started = time.perf_counter()
    for index in range(count):
        due = started + index / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        marker = f"LAT{index}X"
        sent[marker] = time.time() * 1000
        body = {
            "from": customer,
            "to": business,
            "text": f"pedido {marker}",
            "push_name": "Cliente",
        }
        _post(simulator + "/sim/messages", body)


def run(count: int, rate: float) -> None:
    sent: dict[str, float] = {}
    with (
        live_app_process(Path("/tmp") / f"bench-latency-{os.getpid()}") as app,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        email = f"bench-{secrets.token_hex(3)}@example.com"
        first = browser.new_page(locale="en-US")
        sign_up(first, app.url, company="Bench", name="Bench", email=email)
        business = linked_business(first, app, "Bench")
        pages = [first] + [browser.new_page(locale="en-US") for _ in range(2)]
        for page in pages[1:]:
            sign_in(page, app.url, email)
            expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        _post(
            app.simulator_url + "/sim/messages",
            {"from": "+5521988880000", "to": business, "text": "oi", "push_name": "Cliente"},
        )
        for page in pages:
            page.get_by_role("link", name="Inbox").click()
            page.get_by_test_id("conversation-item").filter(has_text="Cliente").click()
            expect(page.get_by_test_id("incoming-bubble").first).to_be_visible()
            page.evaluate(OBSERVER)
        sender = threading.Thread(
            target=_send_all, args=(app.simulator_url, business, count, rate, sent)
        )
        sender.start()
        while sender.is_alive():
            for page in pages:
                page.wait_for_timeout(100)
        deadline = time.time() + 10
        seen: list[dict[str, float]] = []
        while time.time() < deadline:
            seen = [page.evaluate("() => window.__seen") for page in pages]
            if all(len(s) >= count for s in seen):
                break
            pages[0].wait_for_timeout(200)
        browser.close()
    _report(sent, seen, rate)


def _report(sent: dict[str, float], seen: list[dict[str, float]], rate: float) -> None:
    latencies = [s[m] - sent[m] for s in seen for m in sent if m in s]
    missing = sum(1 for s in seen for m in sent if m not in s)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"inbound → visible in 3 inboxes at {rate:.0f} msg/s: n={len(latencies)} "
        f"p50={statistics.median(latencies):.0f} ms p99={p99:.0f} ms max={latencies[-1]:.0f} ms "
        f"not seen={missing}"
    )


if __name__ == "__main__":
    run(
        int(sys.argv[1]) if len(sys.argv) > 1 else 200,
        float(sys.argv[2]) if len(sys.argv) > 2 else 20.0,
    )
