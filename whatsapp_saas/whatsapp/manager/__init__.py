"""The WhatsApp connection manager.

A process that runs one (the ``manager`` and ``embedded`` roles) gets its node from
:func:`whatsapp_saas.bootstrap.bootstrap`, which also hands the node its inbound sink and gives
the inbox's media downloader :func:`fetch_media`. Standalone mode:
``python -m whatsapp_saas.whatsapp.manager`` (several nodes may run against PostgreSQL + Redis).

Nothing here imports an engine; sessions run in session-host child processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from whatsapp_saas.whatsapp.gateway import MediaRef, SessionNotRunning
from whatsapp_saas.whatsapp.manager.driver_choice import SimulatorHost

if TYPE_CHECKING:
    from whatsapp_saas.whatsapp.manager.node import ManagerNode

__all__ = ["SimulatorHost", "fetch_media", "node_for"]


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
