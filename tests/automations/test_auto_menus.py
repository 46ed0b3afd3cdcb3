"""Menus on real messages (PostgreSQL): walk three levels to a department, once per message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auto_helpers import World, add_rule, automated, conversation, inbound, runs
from menu_helpers import add_department, add_menu

from whatsapp_saas.automations.engine import handle_inbound
from whatsapp_saas.automations.menus import MenuSession
from whatsapp_saas.automations.owner import Owner, change_owner, current_owner, owner_label
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.replies import enqueue_text_reply
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import TenantScope


def _greeting_rule(world: World, menu_id: int) -> None:
    add_rule(
        world,
        name="Greeting",
        trigger={"type": "message_received", "which": "new_contact"},
        actions=[{"type": "send_menu", "menu_id": str(menu_id)}],
    )


def _session(world: World) -> MenuSession:
    with session_scope() as session:
        row = TenantScope(session, world.tenant_id).first(MenuSession)
        assert row is not None
        return row


def test_walk_three_levels_to_a_department(world: World) -> None:
    department = add_department(world)
    menu = add_menu(world, department)
    _greeting_rule(world, menu)
    inbound(world, "oi")
    sent = automated(world)
    assert len(sent) == 1
    assert sent[0].body == ("Olá Maria! Como podemos ajudar?\n\n*1.* Vendas\n*2.* Suporte")
    with session_scope() as session:
        assert (
            owner_label(
                TenantScope(session, world.tenant_id),
                conversation=conversation(world),
                now=utcnow(),
            )
            == "flow"
        )
    inbound(world, "2️⃣")
    inbound(world, "tecnico")
    message_id = inbound(world, "1")
    bodies = [m.body for m in automated(world)]
    back = "\n\n_Responda # ou 0 para voltar._"  # sub-menus only
    assert bodies[1:] == [
        "Suporte: escolha o assunto.\n\n*1.* Cobrança\n*2.* Técnico" + back,
        "Qual serviço?\n\n*1.* Telefone\n*2.* Internet" + back,
        "Técnico de telefonia.",
    ]
    assert {m.automation_rule for m in automated(world)} == {"Main menu"}
    row = conversation(world)
    assert row.department_id == department
    with session_scope() as session:
        assert current_owner(session, conversation_id=row.id or 0) is Owner.HUMAN
    assert _session(world).end_reason == "human"
    # The same event again answers nothing twice; the next message goes to the rules (paused).
    with session_scope() as session:
        outcome = handle_inbound(TenantScope(session, world.tenant_id), message_id=message_id)
    assert outcome.skipped == "paused"
    assert len(automated(world)) == 4


def test_back_reprompt_then_human(world: World) -> None:
    department = add_department(world)
    menu = add_menu(world, department, reprompt_limit=1, handoff_message="Já chamo alguém.")
    _greeting_rule(world, menu)
    inbound(world, "oi")
    inbound(world, "2")
    inbound(world, "#")
    assert automated(world)[-1].body.startswith("Olá Maria!")  # type: ignore[union-attr]
    inbound(world, "banana")
    assert automated(world)[-1].body.startswith("Desculpe, não entendi.")  # type: ignore[union-attr]
    inbound(world, "laranja")
    assert automated(world)[-1].body == "Já chamo alguém."
    with session_scope() as session:
        assert current_owner(session, conversation_id=conversation(world).id or 0) is Owner.HUMAN


def test_keyword_jumps_to_a_human(world: World) -> None:
    menu = add_menu(world, add_department(world))
    _greeting_rule(world, menu)
    inbound(world, "oi")
    inbound(world, "Atendente")
    assert _session(world).end_reason == "human"
    with session_scope() as session:
        assert current_owner(session, conversation_id=conversation(world).id or 0) is Owner.HUMAN


def test_timeout_and_expiry(world: World) -> None:
    menu = add_menu(world, add_department(world), timeout_minutes=5, timeout_action="restart")
    _greeting_rule(world, menu)
    inbound(world, "oi")
    inbound(world, "2")
    message_id = inbound(world, "1", run=False)
    with session_scope() as session:
        handle_inbound(
            TenantScope(session, world.tenant_id),
            message_id=message_id,
            now=utcnow() + timedelta(minutes=6),
        )
    assert automated(world)[-1].body.startswith("Olá Maria!")  # type: ignore[union-attr]
    assert _session(world).node == ""
    later = inbound(world, "1", run=False)
    with session_scope() as session:
        outcome = handle_inbound(
            TenantScope(session, world.tenant_id),
            message_id=later,
            now=utcnow() + timedelta(days=2),
        )
    assert outcome.skipped != "menu"
    assert _session(world).end_reason == "expired"


def test_a_human_reply_pauses_the_menu_and_the_inbox_gives_it_back(world: World) -> None:
    menu = add_menu(world, add_department(world))
    _greeting_rule(world, menu)
    inbound(world, "oi")
    c = conversation(world)
    with session_scope() as session:
        enqueue_text_reply(
            TenantScope(session, world.tenant_id),
            actor=world.owner,
            conversation_id=c.id or 0,
            text="Oi!",
        )
    inbound(world, "2")
    assert len(automated(world)) == 1
    assert runs(world)[-1].status == "paused"
    with session_scope() as session:
        change_owner(
            TenantScope(session, world.tenant_id), conversation_id=c.id or 0, choice="flow"
        )
    inbound(world, "2")
    assert automated(world)[-1].body.startswith("Suporte")  # type: ignore[union-attr]
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        change_owner(scope, conversation_id=c.id or 0, choice="none")
        assert owner_label(scope, conversation=conversation(world), now=utcnow()) == "none"


def test_the_owner_cannot_be_the_ai_while_no_assistant_would_answer(world: World) -> None:
    inbound(world, "oi")
    c = conversation(world)
    with session_scope() as session:
        before = current_owner(session, conversation_id=c.id or 0)
        with pytest.raises(UserError) as refused:
            change_owner(
                TenantScope(session, world.tenant_id), conversation_id=c.id or 0, choice="ai"
            )
    assert refused.value.code == "error.auto_no_ai"
    with session_scope() as session:
        assert current_owner(session, conversation_id=c.id or 0) == before


def test_start_on_a_new_conversation(world: World) -> None:
    add_menu(world, add_department(world), start_on_new_conversation=True)
    inbound(world, "bom dia")
    assert automated(world)[0].body.startswith("Olá Maria!")  # type: ignore[union-attr]
    inbound(world, "1")
    assert automated(world)[-1].body == "Um vendedor já vai falar com você."


def test_sqlite_too(sqlite_world: World) -> None:
    world = sqlite_world
    menu = add_menu(world, add_department(world))
    _greeting_rule(world, menu)
    inbound(world, "oi")
    inbound(world, "suporte")
    inbound(world, "1")
    assert conversation(world).department_id is not None
    assert _session(world).end_reason == "human"


def test_the_scheduler_sweep_runs_the_timeout_action_once(world: World) -> None:
    from whatsapp_saas.automations.menu_engine import sweep_timeouts

    menu = add_menu(world, add_department(world), timeout_minutes=5, timeout_action="human")
    _greeting_rule(world, menu)
    inbound(world, "oi")
    later = utcnow() + timedelta(minutes=6)
    with session_scope(write=True) as session:
        assert sweep_timeouts(session, now=utcnow()) == 0  # not yet
    with session_scope(write=True) as session:
        assert sweep_timeouts(session, now=later) == 1
    with session_scope(write=True) as session:
        assert sweep_timeouts(session, now=later) == 0  # ended: nothing twice
    assert automated(world)[-1].body == "Um momento, um atendente vai falar com você."
    assert _session(world).end_reason == "human"
    with session_scope() as session:
        assert current_owner(session, conversation_id=conversation(world).id or 0) is Owner.HUMAN
