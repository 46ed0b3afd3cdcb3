"""How a claimed send reaches the node that owns its number.

- :class:`LocalTransport` (embedded mode): the owning node lives in this process
  (the process's ``LocalNodes.node_for``), so the executor runs right here.
- :class:`~whatsapp_saas.delivery.route.redis_transport.RedisTransport` (with Redis): the
  request goes to the owning node's send agent over Redis and the answer comes back the same way.

Either way a send is only ever performed by the node that owns the session; when nobody does,
the outcome is a transient "number offline" and the message is retried with backoff.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from whatsapp_saas.delivery.common import reasons
from whatsapp_saas.delivery.common.jobs import SendJob, SendOutcome
from whatsapp_saas.delivery.send.executor import SendExecutor

if TYPE_CHECKING:
    from whatsapp_saas.whatsapp.manager.local import LocalNodes


class Transport(Protocol):
    async def send(self, jobs: Sequence[SendJob]) -> list[SendOutcome]:
        """One outcome per job, in any order (matched by message id)."""

    async def close(self) -> None: ...


def offline(job: SendJob, detail: str) -> SendOutcome:
    return SendOutcome.failed(job.message_id, True, reasons.NUMBER_OFFLINE, detail)


class LocalTransport:
    def __init__(self, keeps_ids: bool, nodes: LocalNodes) -> None:
        self.keeps_ids = keeps_ids
        self.nodes = nodes  # the manager nodes of this process (App.nodes)
        self._executors: dict[str, SendExecutor] = {}

    async def send(self, jobs: Sequence[SendJob]) -> list[SendOutcome]:
        by_node: dict[str, list[SendJob]] = defaultdict(list)
        outcomes: list[SendOutcome] = []
        for job in jobs:
            node = self.nodes.node_for(job.number_id)
            if node is None:
                outcomes.append(offline(job, "no node in this process owns the number"))
                continue
            executor = self._executors.get(node.node_id)
            if executor is None or executor.node is not node:
                executor = self._executors[node.node_id] = SendExecutor(
                    node, keeps_ids=self.keeps_ids
                )
            by_node[node.node_id].append(job)
        for node_id, batch in by_node.items():
            outcomes.extend(await self._executors[node_id].run(batch))
        return outcomes

    async def close(self) -> None:
        self._executors.clear()
