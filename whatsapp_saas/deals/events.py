"""Domain events of deals and pipelines (announced after commit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DealCreated:
    tenant_id: int
    deal_id: int
    pipeline_id: int
    stage_id: int
    contact_id: int
    conversation_id: int | None
    by_user_id: int | None


@dataclass(frozen=True, slots=True)
class DealUpdated:
    """Title, value, owner, close date or custom fields changed (not the stage)."""

    tenant_id: int
    deal_id: int
    pipeline_id: int
    stage_id: int
    contact_id: int
    by_user_id: int | None
    changed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DealStageChanged:
    tenant_id: int
    deal_id: int
    pipeline_id: int
    from_stage_id: int
    to_stage_id: int
    contact_id: int
    conversation_id: int | None
    by_user_id: int | None


@dataclass(frozen=True, slots=True)
class PipelineChanged:
    """A pipeline or its stages were created, renamed, reordered or removed."""

    tenant_id: int
    pipeline_id: int
    by_user_id: int | None


DealEvent = DealCreated | DealUpdated | DealStageChanged | PipelineChanged
