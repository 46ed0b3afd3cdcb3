"""What the live handler modules (``bootstrap.HANDLER_MODULES``) receive from the graph.

Each module's ``register(bus, parts)`` subscribes its handlers to the bus and takes the parts
they publish to from ``parts``, never from a module global. The spine sits below the domain
packages, so the parts are typed by what the handlers call on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class LivePublisher(Protocol):
    """Where live updates for browsers go (``realtime.channel.Channel`` is one)."""

    def publish(self, event: Any) -> None: ...


class ManagerControl(Protocol):
    """How handlers reach the connection managers (``whatsapp.manager.control.Control``)."""

    def wake(self, number_id: int) -> None: ...

    def send_read_receipts(self, number_id: int, chat: str, message_ids: list[str]) -> None: ...


class AgentStarter(Protocol):
    """Starts send agents for this process's nodes (``delivery.send.agent.SendAgents``)."""

    def ensure(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class LiveParts:
    realtime: LivePublisher  # the tenant channel to the web workers' open tabs
    control: ManagerControl  # wake-ups and read receipts for the manager nodes
    send_agents: AgentStarter  # a connected number's node gets its send agent
