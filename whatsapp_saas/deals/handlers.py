"""Deal events, once committed, become :class:`DealsChanged` live updates for open boards.

They carry only ids: each board reloads what it shows with its own viewer's permissions, so
an agent's board never receives a deal it may not see.
"""

from __future__ import annotations

from collections.abc import Callable

from whatsapp_saas.deals.events import DealCreated, DealStageChanged, DealUpdated, PipelineChanged
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.events.live import LiveParts, LivePublisher
from whatsapp_saas.realtime.events import DealsChanged

DealEvent = DealCreated | DealUpdated | DealStageChanged | PipelineChanged


def on_deal_event(channel: LivePublisher) -> Callable[[DealEvent], None]:
    """The handler publishing on ``channel`` (the process's tenant channel)."""

    def publish(event: DealEvent) -> None:
        channel.publish(live_update(event))

    return publish


def live_update(event: DealEvent) -> DealsChanged:
    """What changed, by id: the stages whose columns to reload, or a whole pipeline."""
    if isinstance(event, PipelineChanged):
        return DealsChanged(event.tenant_id, event.pipeline_id, structure=True)
    stages: tuple[int, ...]
    if isinstance(event, DealStageChanged):
        stages = (event.from_stage_id, event.to_stage_id)
    else:
        stages = (event.stage_id,)
    return DealsChanged(event.tenant_id, event.pipeline_id, stages, event.contact_id)


def register(bus: EventBus, parts: LiveParts) -> None:
    handler = on_deal_event(parts.realtime)
    for event_type in (DealCreated, DealUpdated, DealStageChanged, PipelineChanged):
        bus.subscribe(event_type, handler)
