"""Background tasks that live inside the web process.

The realtime relay runs in every web worker (with Redis, a consumer group gives each event to
one of them). Everything else the process runs is in its graph (``bootstrap(settings, role)``):
in the embedded role (RUN_MANAGER_IN_APP, the default, and what embedded mode needs) the
connection manager, the delivery workers and the media sweep; in every web worker the
scheduler unless SCHEDULER_IN_APP=false. In production they can run as their own processes
instead: leases give each number one owner, so extra copies are harmless.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from whatsapp_saas.bootstrap import App
from whatsapp_saas.ui.realtime import relay

log = logging.getLogger(__name__)


async def realtime_relay(app: rx.App) -> None:
    await relay(app)


async def run_graph(graph: App) -> None:
    """Start the graph's parts with the app, stop them (in reverse) when it shuts down."""
    try:
        await graph.start()
        await asyncio.Event().wait()
    finally:
        await asyncio.shield(graph.stop())


def register_background_tasks(app: rx.App, graph: App) -> None:
    app.register_lifespan_task(realtime_relay)
    app.register_lifespan_task(run_graph, graph=graph)
