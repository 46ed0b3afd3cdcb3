"""Ctrl-C on a manager in a terminal signals its whole process group, session hosts included.

The hosts ignore it and leave with their manager's pipe, so the manager still stops cleanly:
each session stopped through its host, the clean-shutdown snapshot, the number marked
"node stopped", no host reported dead and nothing restarted while stopping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.whatsapp.helpers import (
    add_number,
    connect,
    link,
    number,
    pid_alive,
    random_phone,
    snapshot_blob,
    wait_state,
    wait_until,
)
from tests.whatsapp.test_number_leases import _children, _manager_env
from whatsapp_saas.whatsapp import state_reasons as reasons

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
async def test_ctrl_c_to_the_process_group_stops_the_manager_cleanly(
    db: str, tenant_id: int, use_redis: str, sim_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "manager.log"
    env = dict(_manager_env(db, use_redis, sim_url), LOG_LEVEL="INFO")
    with log.open("wb") as out:
        manager = subprocess.Popen(
            [sys.executable, "-m", "whatsapp_saas.whatsapp.manager"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,  # its own group, like a job in a terminal
        )
    try:
        await wait_until(lambda: b"running" in log.read_bytes(), 60, "the manager up")
        number_id = add_number(tenant_id)
        connect(tenant_id, number_id)
        await link(sim_url, number_id, random_phone())
        await wait_state(number_id, "connected", timeout=20)
        await wait_until(lambda: snapshot_blob(number_id), 5, "snapshot")
        hosts = _children(manager.pid)
        assert hosts, "sessions run in child processes of the manager"

        os.killpg(manager.pid, signal.SIGINT)
        assert manager.wait(30) == 0
    finally:
        if manager.poll() is None:
            os.killpg(manager.pid, signal.SIGKILL)
    output = log.read_text()
    assert "died" not in output, output
    assert "manager node" in output and "stopped" in output
    assert number(number_id).state_reason == reasons.NODE_STOPPED
    await wait_until(lambda: not any(pid_alive(h) for h in hosts), 10, "hosts to exit")
