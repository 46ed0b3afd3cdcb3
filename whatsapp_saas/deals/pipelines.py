"""Pipelines and their ordered stages: managers define them, everyone reads them.

A tenant's first visit to the board creates a default pipeline in the visitor's language
(New, Qualified, Proposal, Won, Lost), so the board is never empty of columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.deals.access import require_manager
from whatsapp_saas.deals.events import PipelineChanged
from whatsapp_saas.deals.models import Deal, Pipeline, Stage, StageOutcome
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import translate
from whatsapp_saas.tenancy.scope import TenantScope

NAME_MAX = 80
DEFAULT_STAGES: tuple[tuple[str, StageOutcome], ...] = (
    ("deals.default.new", StageOutcome.OPEN),
    ("deals.default.qualified", StageOutcome.OPEN),
    ("deals.default.proposal", StageOutcome.OPEN),
    ("deals.default.won", StageOutcome.WON),
    ("deals.default.lost", StageOutcome.LOST),
)


def list_pipelines(scope: TenantScope) -> list[Pipeline]:
    query = scope.select(Pipeline).order_by(col(Pipeline.position), col(Pipeline.id))
    return list(scope.session.exec(query).all())


def stages_of(scope: TenantScope, *, pipeline_id: int) -> list[Stage]:
    scope.get(Pipeline, pipeline_id)  # NotFound for another tenant's pipeline
    query = (
        scope.select(Stage)
        .where(col(Stage.pipeline_id) == pipeline_id)
        .order_by(col(Stage.position), col(Stage.id))
    )
    return list(scope.session.exec(query).all())


def ensure_default_pipeline(scope: TenantScope, *, language: str) -> list[Pipeline]:
    """The tenant's pipelines, creating the default one on the very first visit."""
    found = list_pipelines(scope)
    if found:
        return found
    try:
        with scope.session.begin_nested():  # two first visits at once: one wins
            _create(scope, translate(language, "deals.default.pipeline"), language)
    except IntegrityError:
        pass
    return list_pipelines(scope)


def create_pipeline(
    scope: TenantScope, *, actor: CurrentUser, name: str, language: str
) -> Pipeline:
    """A new pipeline with the default stages (rename or replace them afterwards)."""
    require_manager(scope, actor=actor)
    pipeline = _create(scope, _clean_name(scope, name), language)
    assert pipeline.id is not None
    announce_after_commit(
        scope.session, PipelineChanged(scope.tenant_id, pipeline.id, actor.user_id)
    )
    return pipeline


def _create(scope: TenantScope, name: str, language: str) -> Pipeline:
    position = len(list_pipelines(scope))
    pipeline = scope.add(Pipeline(tenant_id=scope.tenant_id, name=name, position=position))
    scope.session.flush()
    assert pipeline.id is not None
    for index, (key, outcome) in enumerate(DEFAULT_STAGES):
        scope.add(
            Stage(
                tenant_id=scope.tenant_id,
                pipeline_id=pipeline.id,
                name=translate(language, key),
                position=index,
                outcome=outcome.value,
            )
        )
    scope.session.flush()
    return pipeline


def rename_pipeline(
    scope: TenantScope, *, actor: CurrentUser, pipeline_id: int, name: str
) -> Pipeline:
    require_manager(scope, actor=actor)
    pipeline = scope.get(Pipeline, pipeline_id)
    pipeline.name = _clean_name(scope, name, keep_id=pipeline_id)
    _changed(scope, actor, pipeline_id)
    return pipeline


def delete_pipeline(scope: TenantScope, *, actor: CurrentUser, pipeline_id: int) -> None:
    require_manager(scope, actor=actor)
    pipeline = scope.get(Pipeline, pipeline_id)
    if scope.count(Pipeline) <= 1:
        raise UserError("deals.last_pipeline")
    if scope.count(Deal, col(Deal.pipeline_id) == pipeline_id):
        raise UserError("deals.pipeline_has_deals")
    scope.session.delete(pipeline)
    _changed(scope, actor, pipeline_id)


def add_stage(
    scope: TenantScope, *, actor: CurrentUser, pipeline_id: int, name: str, outcome: str
) -> Stage:
    require_manager(scope, actor=actor)
    existing = stages_of(scope, pipeline_id=pipeline_id)
    stage = scope.add(
        Stage(
            tenant_id=scope.tenant_id,
            pipeline_id=pipeline_id,
            name=_stage_name(name),
            outcome=_outcome(outcome),
            position=len(existing),
        )
    )
    scope.session.flush()
    _changed(scope, actor, pipeline_id)
    return stage


def update_stage(
    scope: TenantScope, *, actor: CurrentUser, stage_id: int, name: str, outcome: str
) -> Stage:
    require_manager(scope, actor=actor)
    stage = scope.get(Stage, stage_id)
    stage.name, stage.outcome = _stage_name(name), _outcome(outcome)
    _changed(scope, actor, stage.pipeline_id)
    return stage


def move_stage(scope: TenantScope, *, actor: CurrentUser, stage_id: int, offset: int) -> None:
    """Move a stage one place left (-1) or right (+1); positions are renumbered 0..n-1."""
    require_manager(scope, actor=actor)
    stage = scope.get(Stage, stage_id)
    ordered = stages_of(scope, pipeline_id=stage.pipeline_id)
    index = next(i for i, s in enumerate(ordered) if s.id == stage_id)
    target = max(0, min(len(ordered) - 1, index + (1 if offset > 0 else -1)))
    ordered.insert(target, ordered.pop(index))
    _renumber(ordered)
    _changed(scope, actor, stage.pipeline_id)


def delete_stage(scope: TenantScope, *, actor: CurrentUser, stage_id: int) -> None:
    require_manager(scope, actor=actor)
    stage = scope.get(Stage, stage_id)
    siblings = stages_of(scope, pipeline_id=stage.pipeline_id)
    if len(siblings) <= 1:
        raise UserError("deals.last_stage")
    if scope.count(Deal, col(Deal.stage_id) == stage_id):
        raise UserError("deals.stage_has_deals")
    scope.session.delete(stage)
    _renumber([s for s in siblings if s.id != stage_id])
    _changed(scope, actor, stage.pipeline_id)


def _renumber(stages: Sequence[Stage]) -> None:
    for position, stage in enumerate(stages):
        stage.position = position


def _changed(scope: TenantScope, actor: CurrentUser, pipeline_id: int) -> None:
    scope.session.flush()
    announce_after_commit(
        scope.session, PipelineChanged(scope.tenant_id, pipeline_id, actor.user_id)
    )


def _clean_name(scope: TenantScope, name: str, keep_id: int | None = None) -> str:
    cleaned = _stage_name(name)
    clash = scope.first(Pipeline, col(Pipeline.name) == cleaned)
    if clash is not None and clash.id != keep_id:
        raise UserError("deals.name_taken", name=cleaned)
    return cleaned


def _stage_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("deals.name_required")
    if len(cleaned) > NAME_MAX:
        raise UserError("deals.name_too_long", max=NAME_MAX)
    return cleaned


def _outcome(value: str) -> str:
    try:
        return StageOutcome(value).value
    except ValueError:
        raise UserError("deals.bad_outcome") from None
