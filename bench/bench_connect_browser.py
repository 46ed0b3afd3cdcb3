"""Connect → QR shown, and link → Connected shown, measured in a real browser.

Starts the app (``reflex run --env prod``) on a throwaway PostgreSQL database with the
simulator driver, signs up in headless Chromium, and repeats the QR flow N times.
Prints p50/max for each leg. Usage: python bench/bench_connect_browser.py [N]
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SESSION_ENCRYPTION_KEY", base64.b64encode(secrets.token_bytes(32)).decode())

import zxingcpp  # noqa: E402
from PIL import Image  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, live_app_process  # noqa: E402


def _post(url: str, body: dict[str, str]) -> None:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=10).read()


def run(rounds: int) -> None:
    to_qr: list[float] = []
    to_connected: list[float] = []
    with (
        live_app_process(Path("/tmp") / f"bench-connect-{os.getpid()}") as app,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(locale="en-US")
        page.goto(app.url + "/signup")
        page.get_by_label("Company name").fill("Bench")
        page.get_by_label("Name", exact=True).fill("Bench")
        page.get_by_label("Email").fill(f"bench-{secrets.token_hex(3)}@example.com")
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        page.get_by_role("link", name="WhatsApp").click()
        for index in range(rounds):
            page.get_by_label("Name").fill(f"Number {index}")
            page.get_by_role("button", name="Add number").click()
            row = page.get_by_test_id("number-row").filter(has_text=f"Number {index}")
            started = time.perf_counter()
            row.get_by_role("button", name="Connect").click()
            image = page.get_by_alt_text("QR code")
            expect(image).to_be_visible(timeout=30_000)
            to_qr.append(time.perf_counter() - started)
            code = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))[0].text
            started = time.perf_counter()
            _post(app.simulator_url + "/sim/link", {"qr": code, "phone": f"+55119999{index:05d}"})
            expect(page.get_by_test_id("connected-as")).to_be_visible(timeout=30_000)
            to_connected.append(time.perf_counter() - started)
            page.get_by_role("button", name="Close").click()
        browser.close()
    _report("Connect click -> QR visible", to_qr)
    _report("POST /sim/link -> 'Connected as' visible", to_connected)


def _report(label: str, samples: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples)
    print(f"{label:45s} n={len(ms):3d}  p50={statistics.median(ms):7.0f} ms  max={ms[-1]:7.0f} ms")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
