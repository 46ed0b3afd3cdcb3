"""Disconnects: network drops, a simulator that dies and comes back, one that is not up yet."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sim_helpers import BUSINESS, CUSTOMER, Recorder, free_port, link_session, make_gateway

from whatsapp_saas.simulator import SimulatorClient, start_in_background
from whatsapp_saas.whatsapp.drivers.simulator import SimulatorGateway
from whatsapp_saas.whatsapp.gateway import (
    Connected,
    Disconnected,
    MessageReceived,
    SessionNotRunning,
    SessionSpec,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.asyncio
async def test_network_drop_reconnects(
    gateway: SimulatorGateway, client: SimulatorClient, spec: SessionSpec, linked: Recorder
) -> None:
    assert await client.drop(BUSINESS) == 1
    dropped = await linked.wait_for(Disconnected)
    assert dropped.will_retry
    assert gateway.is_running(spec.session_id)
    assert (await linked.wait_for(Connected)).phone == BUSINESS
    msg_id = await client.send_message(CUSTOMER, BUSINESS, "voltou?")
    assert (await linked.wait_for(MessageReceived)).message_id == msg_id


async def _spawn(port: int, state: Path) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "whatsapp_saas.simulator",
        "--port",
        str(port),
        "--state-file",
        str(state),
        "--log-level",
        "WARNING",
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    async with SimulatorClient(f"http://127.0.0.1:{port}", timeout=1) as client:
        for _ in range(200):
            try:
                await client.health()
                return proc
            except OSError:
                await asyncio.sleep(0.05)
    proc.kill()
    raise RuntimeError("simulator subprocess did not come up")


@pytest_asyncio.fixture
async def processes() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    procs: list[asyncio.subprocess.Process] = []
    yield procs
    for proc in procs:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.asyncio
async def test_killed_simulator_comes_back_with_its_state(
    tmp_path: Path, spec: SessionSpec, processes: list[asyncio.subprocess.Process]
) -> None:
    port, state = free_port(), tmp_path / "sim-state.json"
    url = f"http://127.0.0.1:{port}"
    processes.append(await _spawn(port, state))
    gateway = make_gateway(url)
    sink = Recorder()
    try:
        async with SimulatorClient(url) as client:
            await link_session(gateway, client, spec, sink)
            await gateway.send_text(spec.session_id, CUSTOMER, "antes", message_id="3EB0K1")
            await asyncio.sleep(0.4)  # the state file is written at most every 0.25 s

            processes[0].send_signal(signal.SIGKILL)
            await processes[0].wait()
            lost = await sink.wait_for(Disconnected)
            assert lost.will_retry
            assert gateway.is_running(spec.session_id)
            with pytest.raises(SessionNotRunning):
                await gateway.send_text(spec.session_id, CUSTOMER, "durante", message_id="3EB0K2")

            processes.append(await _spawn(port, state))
            assert (await sink.wait_for(Connected)).phone == BUSINESS
            assert [m["id"] for m in (await client.phone_messages(CUSTOMER))["messages"]] == [
                "3EB0K1"
            ]
            msg_id = await client.send_message(CUSTOMER, BUSINESS, "depois")
            assert (await sink.wait_for(MessageReceived)).message_id == msg_id
    finally:
        await gateway.close()


@pytest.mark.asyncio
async def test_start_before_the_simulator_is_up(tmp_path: Path, spec: SessionSpec) -> None:
    port, state = free_port(), tmp_path / "state.json"
    first = start_in_background(port=port, state_file=state)
    gateway = make_gateway(first.url)
    sink = Recorder()
    try:
        async with SimulatorClient(first.url) as client:
            await link_session(gateway, client, spec, sink)
        await gateway.stop(spec.session_id)
        first.stop()

        await gateway.start(spec, sink)  # nobody listens: retry quietly in the background
        assert (await sink.wait_for(Disconnected)).will_retry
        assert gateway.is_running(spec.session_id)
        await asyncio.sleep(0.3)
        assert len(sink.of(Disconnected)) == 1  # one report per outage, not per attempt

        second = start_in_background(port=port, state_file=state)
        try:
            assert (await sink.wait_for(Connected)).phone == BUSINESS
        finally:
            await gateway.close()
            second.stop()
    finally:
        await gateway.close()
        first.stop()
