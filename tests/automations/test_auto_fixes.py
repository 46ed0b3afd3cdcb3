"""Fixed on PostgreSQL: custom field variables, delayed replies after a human takeover,
"hand to AI" without an assistant, and the menus' back hint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from auto_helpers import World, add_rule, automated, conversation, inbound, runs
from menu_helpers import add_department, add_menu
from sqlmodel import col, select

from whatsapp_saas.automations import service
from whatsapp_saas.automations.engine import scheduler_pass
from whatsapp_saas.automations.menu_service import save_menu
from whatsapp_saas.automations.models import AutomationJob
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm.fields import create_definition
from whatsapp_saas.crm.profile import update_profile
from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox.models import Message
from whatsapp_saas.inbox.replies import enqueue_text_reply
from whatsapp_saas.inbox.service import resolve
from whatsapp_saas.inbox.system_lines import SYSTEM_MESSAGE_TYPE
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.models import Tenant
from whatsapp_saas.tenancy.scope import TenantScope

NO_AI = "no AI assistant configured"


def scope_of(session: Any, world: World) -> TenantScope:
    return TenantScope(session, world.tenant_id)


def _contact_with_plan(world: World, plan: str) -> int:
    """Maria, with the custom field ``plan`` set through the CRM (as people set it)."""
    with session_scope() as session:
        scope = scope_of(session, world)
        create_definition(scope, entity="contact", key="plan", label="Plano", type="text")
        contact = scope.first(Contact)
        assert contact is not None and contact.id is not None
        update_profile(
            scope, actor=world.owner, contact_id=contact.id, changes={"fields": {"plan": plan}}
        )
        return contact.id


# --- 1. {{contact.fields.<key>}} ------------------------------------------------------------


def test_custom_field_variables_render_the_contacts_values(world: World) -> None:
    _contact_with_plan(world, "Ouro")
    text = "Oi {{contact.first_name}}, seu plano é {{contact.fields.plan}}."
    add_rule(
        world,
        actions=[
            {"type": "send_message", "message": text},
            {"type": "add_note", "message": "Plano: {{contact.fields.plan}}"},
        ],
    )
    inbound(world, "preço")
    (reply,) = [m for m in automated(world) if not m.is_internal_note]
    assert reply.body == "Oi Maria, seu plano é Ouro."
    with session_scope() as session:
        notes = session.exec(
            select(Message).where(
                Message.tenant_id == world.tenant_id, col(Message.is_internal_note).is_(True)
            )
        ).all()
        assert [n.body for n in notes] == ["Plano: Ouro"]
        (line,) = service.dry_run(
            scope_of(session, world),
            actor=world.owner,
            text="preço",
            conversation_id=conversation(world).id,
        )
    assert line.previews[0] == "Oi Maria, seu plano é Ouro."


def test_a_delayed_reply_renders_the_field_value_when_it_runs(world: World) -> None:
    contact_id = _contact_with_plan(world, "Prata")
    add_rule(
        world,
        actions=[
            {"type": "send_message", "message": "{{contact.fields.plan}}", "delay_minutes": 5}
        ],
    )
    inbound(world, "preço")
    with session_scope() as session:
        update_profile(
            scope_of(session, world),
            actor=world.owner,
            contact_id=contact_id,
            changes={"fields": {"plan": "Ouro"}},
        )
    with session_scope(write=True) as session:
        assert scheduler_pass(session, utcnow() + timedelta(minutes=6)) == 1
    assert [m.body for m in automated(world)] == ["Ouro"]


# --- 2. a delayed action after a human takeover ---------------------------------------------


def _delayed_reply_rule(world: World) -> None:
    add_rule(
        world,
        actions=[
            {"type": "send_message", "message": "Ainda precisa de ajuda?", "delay_minutes": 10},
            {"type": "add_tag", "tag": "depois", "delay_minutes": 10},
        ],
    )


def _agent_replies(world: World) -> None:
    with session_scope() as session:
        enqueue_text_reply(
            scope_of(session, world),
            actor=world.agent,
            conversation_id=conversation(world).id or 0,
            text="Oi, sou a Ana, já te ajudo.",
        )


def _run_jobs(world: World) -> list[AutomationJob]:
    with session_scope(write=True) as session:
        assert scheduler_pass(session, utcnow() + timedelta(minutes=11)) == 2
    with session_scope() as session:
        return list(scope_of(session, world).all(AutomationJob))


def test_a_delayed_reply_is_skipped_after_an_agent_replied(world: World) -> None:
    _delayed_reply_rule(world)
    inbound(world, "preço")
    _agent_replies(world)
    jobs = _run_jobs(world)
    assert automated(world) == []  # nothing sent: a person answers this conversation
    assert {j.status for j in jobs} == {"done"}
    skipped = [r for r in runs(world) if r.status == "paused"]
    assert len(skipped) == 1 and skipped[0].rule_name == "Price"
    (result,) = skipped[0].results
    assert result["type"] == "send_message" and "a person took over" in result["detail"]
    # Not a reply: the delayed tag still goes on, as tags do while a person answers.
    with session_scope() as session:
        contact = scope_of(session, world).first(Contact)
        assert contact is not None and "depois" in contact.tags


def test_a_delayed_reply_is_skipped_when_an_agent_replied_and_resolved(world: World) -> None:
    _delayed_reply_rule(world)
    inbound(world, "preço")
    _agent_replies(world)
    with session_scope() as session:
        resolve(
            scope_of(session, world), actor=world.agent, conversation_id=conversation(world).id or 0
        )
    _run_jobs(world)
    assert automated(world) == []
    (skipped,) = [r for r in runs(world) if r.status == "paused"]
    assert "a person took over" in skipped.results[0]["detail"]


def test_a_delayed_reply_is_skipped_when_a_person_resolved_the_conversation(
    world: World,
) -> None:
    _delayed_reply_rule(world)
    inbound(world, "preço")
    with session_scope() as session:
        resolve(
            scope_of(session, world), actor=world.agent, conversation_id=conversation(world).id or 0
        )
    _run_jobs(world)
    assert automated(world) == []
    (skipped,) = [r for r in runs(world) if r.status == "paused"]
    assert "resolved since the rule fired" in skipped.results[0]["detail"]


def test_a_rule_that_resolves_still_sends_its_delayed_reply(world: World) -> None:
    add_rule(
        world,
        actions=[
            {"type": "resolve"},
            {"type": "send_message", "message": "Como foi o atendimento?", "delay_minutes": 10},
        ],
    )
    inbound(world, "preço")
    with session_scope(write=True) as session:
        assert scheduler_pass(session, utcnow() + timedelta(minutes=11)) == 1
    assert [m.body for m in automated(world)] == ["Como foi o atendimento?"]


def test_a_delayed_reply_still_goes_when_nobody_took_over(world: World) -> None:
    _delayed_reply_rule(world)
    inbound(world, "preço")
    _run_jobs(world)
    assert [m.body for m in automated(world)] == ["Ainda precisa de ajuda?"]
    assert [r for r in runs(world) if r.status == "paused"] == []


# --- 3. "hand to AI" without an AI assistant ------------------------------------------------


def _handoff_lines(world: World) -> list[Message]:
    with session_scope() as session:
        return list(
            session.exec(
                select(Message).where(
                    Message.tenant_id == world.tenant_id, Message.type == SYSTEM_MESSAGE_TYPE
                )
            ).all()
        )


def test_hand_to_ai_without_an_assistant_hands_to_a_human(world: World) -> None:
    add_rule(world, actions=[{"type": "hand_to_ai"}])
    inbound(world, "preço")
    assert conversation(world).owner_kind == "human"
    assert len(_handoff_lines(world)) == 1  # the attendants are notified
    (run,) = [r for r in runs(world) if r.rule_id]
    (result,) = run.results
    assert result["ok"] and result["type"] == "hand_to_ai"
    assert NO_AI in result["detail"] and "handed to a human" in result["detail"]


def test_the_menus_ai_option_without_an_assistant_hands_to_a_human(world: World) -> None:
    tree = {"message": "Como podemos ajudar?", "options": [{"label": "IA", "target": "ai"}]}
    with session_scope() as session:
        menu = save_menu(scope_of(session, world), actor=world.owner, name="Main menu", tree=tree,
                         start_on_new_conversation=True)  # fmt: skip
        assert menu.id is not None
    inbound(world, "oi")
    inbound(world, "1")
    row = conversation(world)
    assert row.owner_kind == "human"
    assert len(_handoff_lines(world)) == 1
    assert automated(world)[-1].body == "Um momento, um atendente vai falar com você."
    details = [str(r["detail"]) for run in runs(world) for r in run.results]
    assert any(NO_AI in d and "handed to a human" in d for d in details), details


# --- 4. the back hint on sub-menus ----------------------------------------------------------


def _greet_with(world: World, menu_id: int) -> None:
    add_rule(world, name="Greeting", trigger={"type": "message_received", "which": "new_contact"},
             actions=[{"type": "send_menu", "menu_id": str(menu_id)}])  # fmt: skip


def test_sub_menus_say_that_hash_or_zero_goes_back(world: World) -> None:
    _greet_with(world, add_menu(world, add_department(world)))
    inbound(world, "oi")
    inbound(world, "2")
    inbound(world, "banana")  # a re-prompt of a sub-menu shows the hint too
    inbound(world, "#")
    root, sub, reprompt, back = [m.body or "" for m in automated(world)]
    hint = "_Responda # ou 0 para voltar._"
    assert root == "Olá Maria! Como podemos ajudar?\n\n*1.* Vendas\n*2.* Suporte"
    assert sub == f"Suporte: escolha o assunto.\n\n*1.* Cobrança\n*2.* Técnico\n\n{hint}"
    assert reprompt.startswith("Desculpe, não entendi.") and reprompt.endswith(hint)
    assert back == root  # the root has nowhere to go back to


def test_the_back_hint_is_in_the_tenants_language(world: World) -> None:
    with session_scope() as session:
        tenant = session.get(Tenant, world.tenant_id)
        assert tenant is not None
        tenant.language = "en"
        session.add(tenant)
    _greet_with(world, add_menu(world, add_department(world)))
    inbound(world, "oi")
    inbound(world, "2")
    assert automated(world)[-1].body.endswith("\n\n_Reply # or 0 to go back._")  # type: ignore[union-attr]
