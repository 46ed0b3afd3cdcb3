"""Issue 8 "Clean start-up": a fresh checkout's first start does not say `uv run reflex run`.

``reflex run`` (what ``make run`` starts) initialises a checkout without ``.web`` through the
same code as ``reflex init``, which ends with that advice; this runs it on a fresh copy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.browser.conftest import app_copy


def test_first_start_of_a_fresh_checkout_gives_no_uv_advice(tmp_path: Path) -> None:
    root = app_copy(tmp_path / "app")
    reflex = str(Path(sys.executable).parent / "reflex")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [reflex, "init", "--no-agents"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Initialized whatsapp_saas" in output
    assert "uv run reflex run" not in output
    assert "uv pip install" not in output
