"""The event triggers through the spine on PostgreSQL: each event fires its rules once."""

from __future__ import annotations

from typing import Any

from auto_helpers import World, add_rule, automated, conversation, inbound, runs
from sqlmodel import col

from whatsapp_saas.automations.handlers import happening_of, run_event_rules
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.fields import create_definition
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.crm.profile import update_profile
from whatsapp_saas.crm.segments import create_segment
from whatsapp_saas.crm.tags import create_tag, set_contact_tags
from whatsapp_saas.db import session_scope
from whatsapp_saas.deals.models import Stage
from whatsapp_saas.deals.pipelines import create_pipeline
from whatsapp_saas.deals.service import create_deal, move_deal
from whatsapp_saas.deals.validation import DealValues
from whatsapp_saas.events.cli import drain
from whatsapp_saas.events.models import EventRecord
from whatsapp_saas.events.subscriber import Delivery
from whatsapp_saas.inbox import service as inbox
from whatsapp_saas.inbox.models import Department
from whatsapp_saas.tenancy.scope import TenantScope

NOTE = [{"type": "add_note", "message": "fired"}]


def notes(world: World) -> list[str]:
    return [m.body or "" for m in automated(world) if m.is_internal_note]


def scope_of(session: Any, world: World) -> TenantScope:
    return TenantScope(session, world.tenant_id)


def contact_id(world: World) -> int:
    return conversation(world).contact_id


def test_conversation_opened_fires_on_a_new_conversation(world: World) -> None:
    add_rule(world, name="Opened", trigger={"type": "conversation_opened"}, actions=NOTE)
    inbound(world, "olá")
    inbound(world, "de novo")
    assert notes(world) == ["fired"]
    (run,) = [r for r in runs(world) if r.rule_id]
    # Ingest records ConversationOpened with the first message: (rule, that event).
    assert run.status == "fired" and ":evt:" in run.idempotency_key
    assert run.event == "conversation_opened"


def test_a_customer_reopening_a_resolved_conversation_fires_reopened(world: World) -> None:
    add_rule(world, name="Back", trigger={"type": "conversation_reopened"}, actions=NOTE)
    add_rule(world, name="New", trigger={"type": "conversation_opened"}, actions=NOTE)
    inbound(world, "olá")
    with session_scope() as session:
        inbox.resolve(
            scope_of(session, world), actor=world.owner, conversation_id=conversation(world).id or 0
        )
    inbound(world, "voltei")
    inbound(world, "alô?")
    fired = sorted((r.event, r.status) for r in runs(world) if r.rule_id)
    assert fired == [("conversation_opened", "fired"), ("conversation_reopened", "fired")]


def test_conversation_opened_by_an_attendant_is_an_event(world: World) -> None:
    add_rule(world, name="Opened", trigger={"type": "conversation_opened"}, actions=NOTE)
    with session_scope() as session:
        scope = scope_of(session, world)
        contact = scope.first(Contact)
        assert contact is not None
        inbox.open_conversation(
            scope, actor=world.owner, number_id=world.number_id, contact_id=contact.id or 0
        )
    drain()
    assert notes(world) == ["fired"]
    (run,) = runs(world)
    assert run.event == "conversation_opened" and ":evt:" in run.idempotency_key


def test_assigned_transferred_resolved_reopened(world: World) -> None:
    for kind in ("assigned", "transferred", "resolved", "reopened"):
        add_rule(
            world,
            name=kind,
            trigger={"type": f"conversation_{kind}"},
            actions=[{"type": "add_note", "message": kind}],
        )
    inbound(world, "olá")
    c = conversation(world)
    with session_scope() as session:
        scope = scope_of(session, world)
        department = scope.add(Department(tenant_id=world.tenant_id, name="Vendas"))
        session.flush()
        inbox.assign(
            scope, actor=world.owner, conversation_id=c.id or 0, user_id=world.agent.user_id
        )
    drain()
    with session_scope() as session:
        inbox.transfer(scope_of(session, world), actor=world.owner, conversation_id=c.id or 0,
                       department_id=department.id)  # fmt: skip
    drain()
    with session_scope() as session:
        inbox.resolve(scope_of(session, world), actor=world.owner, conversation_id=c.id or 0)
    drain()
    with session_scope() as session:
        inbox.reopen(scope_of(session, world), actor=world.owner, conversation_id=c.id or 0)
    drain()
    assert notes(world) == ["assigned", "transferred", "resolved", "reopened"]


def test_tag_added_and_removed_are_typed_events_in_the_same_transaction(world: World) -> None:
    add_rule(world, name="Lead", trigger={"type": "tag_added", "tag": "Lead"}, actions=NOTE)
    add_rule(
        world,
        name="Gone",
        trigger={"type": "tag_removed", "tag": "lead"},
        actions=[{"type": "add_note", "message": "gone"}],
    )
    inbound(world, "olá")
    with session_scope() as session:
        scope = scope_of(session, world)
        lead = create_tag(scope, name="Lead")
        vip = create_tag(scope, name="VIP")
        set_contact_tags(scope, contact_id=contact_id(world), tag_ids=[vip.id or 0])
        set_contact_tags(scope, contact_id=contact_id(world), tag_ids=[vip.id or 0, lead.id or 0])
        records = session.query(EventRecord).filter(col(EventRecord.type).startswith("ContactT"))
        assert records.count() == 0  # recorded by the commit, not before
    drain()
    with session_scope() as session:
        set_contact_tags(scope_of(session, world), contact_id=contact_id(world), tag_ids=[])
    drain()
    assert notes(world) == ["fired", "gone"]


def test_a_rule_tag_chains_into_a_tag_rule(world: World) -> None:
    add_rule(world, name="Tagger", actions=[{"type": "add_tag", "tag": "lead"}])
    add_rule(world, name="On lead", trigger={"type": "tag_added", "tag": "lead"}, actions=NOTE)
    inbound(world, "preço")
    assert notes(world) == ["fired"]


def test_field_changed_with_a_field_filter(world: World) -> None:
    add_rule(world, name="CPF", trigger={"type": "field_changed", "field": "cpf"}, actions=NOTE)
    inbound(world, "olá")
    with session_scope() as session:
        scope = scope_of(session, world)
        for key in ("cpf", "city"):
            create_definition(scope, entity="contact", key=key, label=key, type="text")
        update_profile(scope, actor=world.owner, contact_id=contact_id(world),
                       changes={"fields": {"city": "Recife"}})  # fmt: skip
    drain()
    assert notes(world) == []
    with session_scope() as session:
        update_profile(scope_of(session, world), actor=world.owner, contact_id=contact_id(world),
                       changes={"fields": {"cpf": "12345678900"}})  # fmt: skip
    drain()
    assert notes(world) == ["fired"]


def test_deal_stage_changed_with_pipeline_and_stage_filters(world: World) -> None:
    inbound(world, "olá")
    with session_scope() as session:
        scope = scope_of(session, world)
        pipeline = create_pipeline(scope, actor=world.owner, name="Vendas", language="en")
        stages = scope.all(Stage, Stage.pipeline_id == pipeline.id)
        first, won = stages[0].id or 0, stages[-1].id or 0
        deal = create_deal(
            scope,
            actor=world.owner,
            values=DealValues(title="D", contact_id=contact_id(world), stage_id=first),
        )
        deal_id = deal.id or 0
    add_rule(
        world,
        name="Won",
        trigger={"type": "deal_stage_changed", "pipeline_id": pipeline.id, "stage_id": won},
        actions=NOTE,
    )
    with session_scope() as session:
        move_deal(
            scope_of(session, world), actor=world.owner, deal_id=deal_id, stage_id=stages[1].id or 0
        )
    drain()
    assert notes(world) == []
    with session_scope() as session:
        move_deal(scope_of(session, world), actor=world.owner, deal_id=deal_id, stage_id=won)
    drain()
    assert notes(world) == ["fired"]


def test_deal_moved_to_any_won_stage_fires_the_outcome_filter_only(world: World) -> None:
    """The "Deal won: thank-you" template's trigger: a stage marked won, in any pipeline."""
    inbound(world, "olá")
    with session_scope() as session:
        scope = scope_of(session, world)
        pipeline = create_pipeline(scope, actor=world.owner, name="Vendas", language="en")
        stages = scope.all(Stage, Stage.pipeline_id == pipeline.id)
        by_outcome = {stage.outcome: stage.id or 0 for stage in stages}
        opened = [stage.id or 0 for stage in stages if stage.outcome == "open"]
        deal = create_deal(
            scope,
            actor=world.owner,
            values=DealValues(title="D", contact_id=contact_id(world), stage_id=opened[0]),
        )
        deal_id = deal.id or 0
    add_rule(
        world, name="Won", trigger={"type": "deal_stage_changed", "outcome": "won"}, actions=NOTE
    )
    with session_scope() as session:
        move_deal(scope_of(session, world), actor=world.owner, deal_id=deal_id, stage_id=opened[1])
        move_deal(
            scope_of(session, world),
            actor=world.owner,
            deal_id=deal_id,
            stage_id=by_outcome["lost"],
        )
    drain()
    assert notes(world) == []
    with session_scope() as session:
        move_deal(
            scope_of(session, world), actor=world.owner, deal_id=deal_id, stage_id=by_outcome["won"]
        )
    drain()
    assert notes(world) == ["fired"]


def test_the_same_event_delivered_twice_fires_once(world: World) -> None:
    add_rule(world, name="Tag", trigger={"type": "tag_added"}, actions=NOTE)
    inbound(world, "olá")
    with session_scope() as session:
        scope = scope_of(session, world)
        set_contact_tags(
            scope, contact_id=contact_id(world), tag_ids=[create_tag(scope, name="x").id or 0]
        )
    drain()
    with session_scope() as session:
        record = session.query(EventRecord).filter_by(type="ContactTagAdded").one()
        from whatsapp_saas.contacts.events import ContactTagAdded

        event = ContactTagAdded(world.tenant_id, contact_id(world), "x")
        delivery = Delivery(record.id or 0, world.tenant_id, record.seq, None, event)
        assert happening_of(delivery.event_id, event) is not None
        outcome = run_event_rules(session, delivery=delivery, cache=None)
        assert outcome is not None and outcome.fired == []
    assert notes(world) == ["fired"]


def test_segment_condition_loaded_once_per_event(world: World) -> None:
    inbound(world, "olá")
    with session_scope() as session:
        scope = scope_of(session, world)
        vip = create_tag(scope, name="vip")
        segment = create_segment(
            scope, actor=world.owner, name="VIPs", filters=ContactFilter(tag_ids=[vip.id or 0])
        )
        segment_id = segment.id
    add_rule(
        world,
        name="Seg",
        trigger={"type": "keyword", "keyword": "preco"},
        conditions=[{"type": "segment", "segment_id": segment_id}],
        actions=NOTE,
    )
    inbound(world, "preço")
    assert notes(world) == []
    with session_scope() as session:
        set_contact_tags(
            scope_of(session, world), contact_id=contact_id(world), tag_ids=[vip.id or 0]
        )
    inbound(world, "preço?")
    assert notes(world) == ["fired"]


def test_conditions_tree_on_the_contact(world: World) -> None:
    add_rule(
        world,
        name="Tree",
        trigger={"type": "message_received"},
        conditions=[
            {"any": [{"type": "has_tag", "tags": "vip"},
                     {"type": "phone", "value": "+5511988880001"}]},
            {"not": {"type": "assignee", "present": True}},
            {"type": "message_type", "value": "text"},
        ],
        actions=NOTE,
    )  # fmt: skip
    inbound(world, "olá")
    assert notes(world) == ["fired"]
    with session_scope() as session:
        contact = scope_of(session, world).first(Contact)
        assert contact is not None


def test_dry_run_names_the_failed_new_condition(world: World) -> None:
    from whatsapp_saas.automations.service import dry_run

    add_rule(
        world,
        name="VIP only",
        conditions=[{"any": [{"type": "has_tag", "tags": "vip"}, {"type": "status",
                                                                   "value": "pending"}]}],
        actions=[{"type": "send_message", "message": "oi", "delay_minutes": 5}],
    )  # fmt: skip
    add_rule(world, name="On tag", trigger={"type": "tag_added"}, actions=NOTE)
    inbound(world, "bom dia")
    c = conversation(world)
    with session_scope() as session:
        lines = dry_run(
            scope_of(session, world), actor=world.owner, text="preço", conversation_id=c.id
        )
    reasons = {line.verdict.name: line.verdict.reason for line in lines}
    assert reasons == {"VIP only": "auto.why_status", "On tag": "auto.why_other_event"}
    with session_scope() as session:
        scope = scope_of(session, world)
        set_contact_tags(
            scope, contact_id=c.contact_id, tag_ids=[create_tag(scope, name="VIP").id or 0]
        )
    with session_scope() as session:
        lines = dry_run(
            scope_of(session, world), actor=world.owner, text="preço", conversation_id=c.id
        )
    fired = [line for line in lines if line.verdict.fired]
    assert [line.verdict.name for line in fired] == ["VIP only"]
    assert fired[0].previews == ("oi (+5 min)",)
