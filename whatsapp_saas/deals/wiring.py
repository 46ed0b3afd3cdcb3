"""Deal events, once committed, become ``deals`` tenant events for the open boards.

The payload carries only ids: each board reloads what it shows with its own viewer's
permissions, so an agent's board never receives a deal it may not see.
"""

from __future__ import annotations

from whatsapp_saas.deals.events import DealCreated, DealStageChanged, DealUpdated, PipelineChanged
from whatsapp_saas.events.bus import EventBus
from whatsapp_saas.realtime.channel import TenantEvent, get_channel

TOPIC = "deals"


def on_deal_event(event: DealCreated | DealUpdated | DealStageChanged | PipelineChanged) -> None:
    get_channel().publish(TenantEvent(event.tenant_id, TOPIC, live_payload(event)))


def live_payload(
    event: DealCreated | DealUpdated | DealStageChanged | PipelineChanged,
) -> dict[str, object]:
    """What changed, by id: the stages whose columns to reload, or a whole pipeline."""
    if isinstance(event, PipelineChanged):
        return {"pipeline_id": event.pipeline_id, "structure": True}
    if isinstance(event, DealStageChanged):
        stages = [event.from_stage_id, event.to_stage_id]
    else:
        stages = [event.stage_id]
    return {
        "pipeline_id": event.pipeline_id,
        "deal_id": event.deal_id,
        "contact_id": event.contact_id,
        "stages": stages,
    }


def register(bus: EventBus) -> None:
    for event_type in (DealCreated, DealUpdated, DealStageChanged, PipelineChanged):
        bus.subscribe(event_type, on_deal_event)
