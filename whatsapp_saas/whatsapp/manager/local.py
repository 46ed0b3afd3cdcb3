"""The manager nodes running in this process: one registry per process graph (``App.nodes``).

A node adds itself when it starts and leaves when it stops. Whatever must reach a node of
this process asks the registry it was given: the in-process send transport and the send
agents (``node_for``, iteration), the inbox's media downloader (:meth:`LocalNodes.fetch_media`)
and, without Redis, the control channel (the nodes that take wake-ups and pairing requests
directly, see :mod:`.control`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING

from whatsapp_saas.whatsapp.gateway import MediaRef, SessionNotRunning

if TYPE_CHECKING:
    from whatsapp_saas.whatsapp.manager.control import ControlHandler
    from whatsapp_saas.whatsapp.manager.node import ManagerNode


class LocalNodes:
    def __init__(self) -> None:
        self._nodes: list[ManagerNode] = []
        self._handlers: list[tuple[ControlHandler, asyncio.AbstractEventLoop]] = []

    def add(self, node: ManagerNode) -> None:
        if node not in self._nodes:
            self._nodes.append(node)

    def remove(self, node: ManagerNode) -> None:
        if node in self._nodes:
            self._nodes.remove(node)
        self._handlers[:] = [item for item in self._handlers if item[0] is not node]

    def listen(self, handler: ControlHandler, loop: asyncio.AbstractEventLoop) -> None:
        """Take control requests in-process (no Redis), on ``loop``."""
        self._handlers.append((handler, loop))

    def handlers(self) -> list[tuple[ControlHandler, asyncio.AbstractEventLoop]]:
        return list(self._handlers)

    def __iter__(self) -> Iterator[ManagerNode]:
        return iter(list(self._nodes))

    def node_for(self, number_id: int) -> ManagerNode | None:
        """The node of this process that owns ``number_id`` (for in-process sends)."""
        for node in self._nodes:
            if node.owns(number_id):
                return node
        return None

    async def fetch_media(self, number_id: int, ref: MediaRef) -> bytes:
        """Download inbound media through the node of this process that runs ``number_id``.

        The inbox's media downloader uses this (it retries ``SessionNotRunning``: after a
        failover the new owner's process downloads instead)."""
        node = self.node_for(number_id)
        if node is None:
            raise SessionNotRunning(f"number {number_id} is not running in this process")
        return await node.download_media(number_id, ref)
