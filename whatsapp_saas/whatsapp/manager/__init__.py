"""The WhatsApp connection manager.

Embedded mode (``make run``): the web app calls :func:`start_embedded_manager` in its own event
loop and :func:`stop_embedded_manager` on shutdown. Standalone mode:
``python -m whatsapp_saas.whatsapp.manager`` (several nodes may run against PostgreSQL + Redis).

Nothing here imports an engine; sessions run in session-host child processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whatsapp_saas.whatsapp.gateway import MediaRef, SessionNotRunning
from whatsapp_saas.whatsapp.manager.driver_choice import effective_simulator_url

if TYPE_CHECKING:
    from whatsapp_saas.whatsapp.manager.node import ManagerNode
    from whatsapp_saas.whatsapp.manager.settings import ManagerSettings

_embedded: ManagerNode | None = None

__all__ = [
    "effective_simulator_url",
    "embedded_manager",
    "fetch_media",
    "node_for",
    "start_embedded_manager",
    "stop_embedded_manager",
]


async def start_embedded_manager(settings: ManagerSettings | None = None) -> ManagerNode:
    """Start a manager node in the running event loop (idempotent) and return it."""
    global _embedded
    if _embedded is None:
        from whatsapp_saas.whatsapp.manager.node import ManagerNode

        node = ManagerNode(settings)
        await node.start()
        _embedded = node
    return _embedded


async def stop_embedded_manager() -> None:
    """Stop the embedded node cleanly (final snapshots, leases released)."""
    global _embedded
    node, _embedded = _embedded, None
    if node is not None:
        await node.stop()


def embedded_manager() -> ManagerNode | None:
    return _embedded


def node_for(number_id: int) -> ManagerNode | None:
    """The node in this process that owns ``number_id`` (for in-process outbox sends)."""
    from whatsapp_saas.whatsapp.manager.node import local_nodes

    for node in local_nodes():
        if node.owns(number_id):
            return node
    return None


async def fetch_media(number_id: int, ref: MediaRef) -> bytes:
    """Download inbound media through the node of this process that runs ``number_id``.

    The inbox's media downloader uses this (it retries ``SessionNotRunning``: after a failover
    the new owner's process downloads instead)."""
    node = node_for(number_id)
    if node is None:
        raise SessionNotRunning(f"number {number_id} is not running in this process")
    return await node.download_media(number_id, ref)
