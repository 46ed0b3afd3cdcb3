"""``python -m whatsapp_saas.simulator``: a simulated WhatsApp network on 127.0.0.1:7781."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from pathlib import Path

from whatsapp_saas.simulator.app import DEFAULT_PORT, SimulatorOptions, create_app, start_site
from whatsapp_saas.simulator.linking import QrSettings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m whatsapp_saas.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--qr-first-ttl", type=float, default=60.0, help="seconds")
    parser.add_argument("--qr-ttl", type=float, default=20.0, help="seconds, later codes")
    parser.add_argument("--qr-max", type=int, default=6, help="codes before QR timeout")
    parser.add_argument("--state-file", type=Path, default=None)
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    options = SimulatorOptions(
        qr=QrSettings(first_ttl=args.qr_first_ttl, ttl=args.qr_ttl, max_codes=args.qr_max),
        state_file=args.state_file,
    )
    runner, _ = await start_site(create_app(options), args.host, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
