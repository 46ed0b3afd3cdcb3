"""Deals: create, edit and move them through a pipeline's stages, with their history.

Every write checks the ids it is given against the tenant and the actor's view (a contact the
agent may not see is "not found", as is another tenant's stage), collects all complaints in one
:class:`DealInvalid`, and announces its event after commit.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import col

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm.fields import FieldErrors, validate_values
from whatsapp_saas.crm.models import FieldEntity
from whatsapp_saas.db import announce_after_commit
from whatsapp_saas.deals.access import get_deal, get_visible_contact
from whatsapp_saas.deals.events import DealCreated, DealStageChanged, DealUpdated
from whatsapp_saas.deals.models import Deal, DealStageChange, Stage, StageOutcome
from whatsapp_saas.deals.validation import DealInvalid, DealValues
from whatsapp_saas.inbox.access import get_conversation
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import NotFound, TenantScope

EDITABLE = ("title", "value_cents", "owner_id", "expected_close", "fields")


def create_deal(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    values: DealValues,
    fields: dict[str, Any] | None = None,
) -> Deal:
    stage = _check_references(scope, actor, values)
    clean_fields = _check_fields(scope, fields or {})
    now = utcnow()
    deal = scope.add(
        Deal(
            tenant_id=scope.tenant_id,
            pipeline_id=stage.pipeline_id,
            stage_id=values.stage_id,
            contact_id=values.contact_id,
            conversation_id=values.conversation_id,
            title=values.title,
            value_cents=values.value_cents,
            owner_id=values.owner_id,
            expected_close=values.expected_close,
            fields=clean_fields,
            stage_entered_at=now,
            closed_at=now if stage.outcome != StageOutcome.OPEN else None,
            created_by=actor.user_id,
        )
    )
    scope.session.flush()
    assert deal.id is not None
    _record(scope, deal, None, actor)
    announce_after_commit(
        scope.session,
        DealCreated(
            scope.tenant_id,
            deal.id,
            deal.pipeline_id,
            deal.stage_id,
            deal.contact_id,
            deal.conversation_id,
            actor.user_id,
        ),
    )
    return deal


def update_deal(
    scope: TenantScope,
    *,
    actor: CurrentUser,
    deal_id: int,
    values: DealValues,
    fields: dict[str, Any] | None = None,
) -> Deal:
    """Edit a deal's own fields; a different stage moves it (and records the move)."""
    deal = get_deal(scope, actor=actor, deal_id=deal_id, for_update=True)
    # The contact and conversation of a deal are fixed once it exists.
    values = replace(values, contact_id=deal.contact_id, conversation_id=deal.conversation_id)
    _check_references(scope, actor, values)
    before = {name: getattr(deal, name) for name in EDITABLE}
    deal.title, deal.value_cents = values.title, values.value_cents
    deal.owner_id, deal.expected_close = values.owner_id, values.expected_close
    if fields is not None:
        deal.fields = _check_fields(scope, fields)
    changed = tuple(name for name in EDITABLE if getattr(deal, name) != before[name])
    if changed:
        deal.updated_at = utcnow()
        assert deal.id is not None
        announce_after_commit(
            scope.session,
            DealUpdated(
                scope.tenant_id,
                deal.id,
                deal.pipeline_id,
                deal.stage_id,
                deal.contact_id,
                actor.user_id,
                changed,
            ),
        )
    if values.stage_id != deal.stage_id:
        move_deal(scope, actor=actor, deal_id=deal_id, stage_id=values.stage_id)
    scope.session.flush()
    return deal


def move_deal(
    scope: TenantScope, *, actor: CurrentUser, deal_id: int, stage_id: int
) -> DealStageChanged | None:
    """Put a deal in another stage (of any of the tenant's pipelines). None if already there."""
    deal = get_deal(scope, actor=actor, deal_id=deal_id, for_update=True)
    stage = scope.get(Stage, stage_id)
    if deal.stage_id == stage_id:
        return None
    assert deal.id is not None
    before = deal.stage_id
    now = utcnow()
    deal.stage_id, deal.pipeline_id = stage_id, stage.pipeline_id
    deal.stage_entered_at = deal.updated_at = now
    deal.closed_at = None if stage.outcome == StageOutcome.OPEN else now
    scope.session.flush()
    _record(scope, deal, before, actor)
    event = DealStageChanged(
        tenant_id=scope.tenant_id,
        deal_id=deal.id,
        pipeline_id=deal.pipeline_id,
        from_stage_id=before,
        to_stage_id=stage_id,
        contact_id=deal.contact_id,
        conversation_id=deal.conversation_id,
        by_user_id=actor.user_id,
    )
    announce_after_commit(scope.session, event)
    return event


def history(scope: TenantScope, *, actor: CurrentUser, deal_id: int) -> list[DealStageChange]:
    """The deal's stage changes, oldest first (its creation is the first)."""
    get_deal(scope, actor=actor, deal_id=deal_id)
    query = (
        scope.select(DealStageChange)
        .where(col(DealStageChange.deal_id) == deal_id)
        .order_by(col(DealStageChange.changed_at), col(DealStageChange.id))
    )
    return list(scope.session.exec(query).all())


def _record(scope: TenantScope, deal: Deal, before: int | None, actor: CurrentUser) -> None:
    assert deal.id is not None
    scope.add(
        DealStageChange(
            tenant_id=scope.tenant_id,
            deal_id=deal.id,
            contact_id=deal.contact_id,
            from_stage_id=before,
            to_stage_id=deal.stage_id,
            by_user_id=actor.user_id,
            changed_at=deal.stage_entered_at,
        )
    )


def _check_references(scope: TenantScope, actor: CurrentUser, values: DealValues) -> Stage:
    """Each id names a row of this tenant the actor may use; all complaints at once."""
    errors: dict[str, str] = {}
    stage: Stage | None = None
    try:
        stage = scope.get(Stage, values.stage_id)
    except NotFound:
        errors["stage_id"] = "deals.not_found"
    try:
        get_visible_contact(scope, actor=actor, contact_id=values.contact_id)
    except NotFound:
        errors["contact_id"] = "deals.not_found"
    if values.owner_id is not None:
        owner = scope.first(User, col(User.id) == values.owner_id)
        if owner is None or not owner.is_active:
            errors["owner_id"] = "deals.not_found"
    if values.conversation_id is not None:
        try:
            conversation = get_conversation(
                scope, actor=actor, conversation_id=values.conversation_id
            )
            if conversation.contact_id != values.contact_id:
                errors["conversation_id"] = "deals.not_found"
        except NotFound:
            errors["conversation_id"] = "deals.not_found"
    if errors or stage is None:
        raise DealInvalid(errors)
    return stage


def field_errors(scope: TenantScope, *, fields: dict[str, Any]) -> dict[str, str]:
    """What :func:`create_deal` would say of these custom field values (form field name ->
    i18n key; empty when all are right), so a form can name them beside its other errors."""
    try:
        _check_fields(scope, fields)
    except DealInvalid as invalid:
        return invalid.errors
    return {}


def _check_fields(scope: TenantScope, values: dict[str, Any]) -> dict[str, Any]:
    """The deal's custom field values, as the tenant's field definitions allow them (each
    invalid field named in the error; nothing is written)."""
    if not values:
        return {}
    try:
        return validate_values(scope, entity=FieldEntity.DEAL.value, values=values)
    except FieldErrors as err:
        raise DealInvalid({f"field-{key}": code for key, code in err.errors.items()}) from err
