"""Background tasks that live inside the web process.

The realtime hub runs in every web worker: it reads every tenant event and pushes live updates
into the tabs whose sockets this worker holds (ui.inbox.hub). Everything else the process runs
is in its graph (``bootstrap(settings, role)``): in the embedded role (RUN_MANAGER_IN_APP, the
default, and what embedded mode needs) the connection manager, the delivery workers and the
media sweep; in every web worker the scheduler unless SCHEDULER_IN_APP=false. In production they
can run as their own processes instead: leases give each number one owner, so extra copies are
harmless.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from whatsapp_saas.bootstrap import App
from whatsapp_saas.realtime.channel import Channel
from whatsapp_saas.ui.inbox.hub import InboxHub
from whatsapp_saas.ui.inbox.state import push_to_tab
from whatsapp_saas.ui.realtime import shared_feeds_changed

log = logging.getLogger(__name__)


def realtime_hub(channel: Channel) -> InboxHub:
    """The web worker's one subscriber to the tenant channel."""
    hub = InboxHub(channel, push_to_tab)
    hub.on_other = shared_feeds_changed
    return hub


async def run_graph(graph: App) -> None:
    """Start the graph's parts with the app, stop them (in reverse) when it shuts down."""
    try:
        await graph.start()
        await asyncio.Event().wait()
    finally:
        await asyncio.shield(graph.stop())


def register_background_tasks(app: rx.App, graph: App) -> None:
    channel: Channel = graph.realtime
    app.register_lifespan_task(realtime_hub(channel))
    app.register_lifespan_task(run_graph, graph=graph)
