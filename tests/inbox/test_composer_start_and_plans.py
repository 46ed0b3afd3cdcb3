"""Starting a conversation from the inbox (phone through the phone module, a number to send
from), and the contact panel's follow-ups, which end as soon as the customer replies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import World
from inbox_helpers import conversations, inbound, messages

from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.inbox.new_conversation import start_conversation
from whatsapp_saas.scheduling.followups import list_follow_ups, start_follow_up
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.ui.inbox.plans import _plans


def test_a_typed_phone_starts_an_assigned_conversation_with_a_first_message(
    world: World,
) -> None:
    a = world.a
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        conversation = start_conversation(
            scope,
            actor=a.agent_out,
            number_id=a.number_id,
            phone="(11) 98765-4321",
            name="Dona Maria",
            text="Olá! Seu pedido chegou.",
        )
        contact = scope.get(Contact, conversation.contact_id)
        assert contact.phone == "+5511987654321" and contact.name == "Dona Maria"
        assert conversation.assignee_id == a.agent_out.user_id
        first_id = conversation.id
    [out] = messages(direction="out")
    assert (out.body, out.status, out.conversation_id) == (
        "Olá! Seu pedido chegou.",
        "queued",
        first_id,
    )
    with session_scope() as session:
        again = start_conversation(
            TenantScope(session, a.tenant_id),
            actor=a.agent_out,
            number_id=a.number_id,
            phone="+55 11 98765-4321",
        )
        assert again.id == first_id  # the same thread, not a second one


@pytest.mark.parametrize(
    ("number", "phone", "code"),
    [
        ("mine", "12345", "error.phone_invalid"),
        ("mine", "", "error.phone_invalid"),
        (None, "11 98765-4321", "error.cmp_number_required"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    world: World, number: str | None, phone: str, code: str
) -> None:
    a = world.a
    with pytest.raises(UserError) as err, session_scope() as session:
        start_conversation(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            number_id=a.number_id if number else None,
            phone=phone,
            text="Oi",
        )
    assert err.value.code == code
    assert conversations() == [] and messages() == []


def test_another_tenants_number_is_not_found(world: World) -> None:
    with pytest.raises(NotFound), session_scope() as session:
        start_conversation(
            TenantScope(session, world.a.tenant_id),
            actor=world.a.owner,
            number_id=world.b.number_id,
            phone="11 98765-4321",
        )
    assert conversations() == []


def test_the_follow_up_leaves_the_panel_when_the_customer_replies(world: World) -> None:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, text="Quero um orçamento"))
    conversation_id = conversations()[0].id
    assert conversation_id is not None
    with session_scope() as session:
        start_follow_up(
            TenantScope(session, a.tenant_id),
            actor=a.owner,
            conversation_id=conversation_id,
            steps=[{"delay_hours": 2, "text": "Conseguiu ver o orçamento?"}],
        )
    with session_scope() as session:
        _, shown = _plans(session, a.owner, conversation_id, "America/Sao_Paulo")
        assert [f["text"] for f in shown] == ["Conseguiu ver o orçamento?"]

    later = datetime.now(UTC) + timedelta(seconds=5)
    ingest_event(inbound(a.tenant_id, a.number_id, text="Vi sim, obrigada", at=later))
    with session_scope() as session:
        _, shown = _plans(session, a.owner, conversation_id, "America/Sao_Paulo")
        assert shown == []
        # Whether or not the after-commit hook has cancelled the row yet, the panel is right.
        scope = TenantScope(session, a.tenant_id)
        assert len(list_follow_ups(scope, actor=a.owner, conversation_id=conversation_id)) <= 1
