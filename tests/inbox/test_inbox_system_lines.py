"""Assignments, transfers, resolve and reopen leave a system line in the conversation (who,
what, when), which is never sent; and an attendant's signature signs their replies."""

from __future__ import annotations

import pytest
from conftest import World
from inbox_helpers import conversations, inbound, messages

from whatsapp_saas.accounts.models import User
from whatsapp_saas.accounts.service import set_signature
from whatsapp_saas.db import session_scope
from whatsapp_saas.delivery.claim.claims import claim_batch
from whatsapp_saas.errors import UserError
from whatsapp_saas.i18n import translate
from whatsapp_saas.inbox import service
from whatsapp_saas.inbox.ingest import ingest_event
from whatsapp_saas.models_base import utcnow
from whatsapp_saas.tenancy.scope import NotFound, TenantScope
from whatsapp_saas.ui.inbox.views import message_rows


def _conversation(world: World) -> int:
    a = world.a
    ingest_event(inbound(a.tenant_id, a.number_id, text="Oi"))
    conversation_id = conversations()[0].id
    assert conversation_id is not None
    return conversation_id


def _lines(world: World, conversation_id: int, language: str = "en") -> list[str]:
    owner = world.a.owner
    with session_scope() as session:
        scope = TenantScope(session, owner.tenant_id)
        page = service.get_messages(scope, actor=owner, conversation_id=conversation_id)
        authors = {u: n for u, n in [(owner.user_id, "Olivia"), (world.a.agent_in.user_id, "Ivo")]}
        rows = message_rows(scope, page.messages, "UTC", authors, language)
    # The page fills the translated template the same way (chat.system_text).
    return [
        translate(language, r["system_key"], who=r["who"], to=r["to"], department=r["department"])
        for r in rows
        if r["direction"] == "system"
    ]


def test_each_change_leaves_a_translated_line(world: World) -> None:
    a = world.a
    cid = _conversation(world)
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        service.assign_to_me(scope, actor=a.owner, conversation_id=cid)
        service.assign_to_me(scope, actor=a.owner, conversation_id=cid)  # no change, no line
        service.assign(scope, actor=a.owner, conversation_id=cid, user_id=a.agent_in.user_id)
        service.transfer(scope, actor=a.owner, conversation_id=cid, department_id=a.department_id)
        service.resolve(scope, actor=a.owner, conversation_id=cid)
        service.reopen(scope, actor=a.owner, conversation_id=cid)
    assert _lines(world, cid) == [
        "Olivia took the conversation",
        "Olivia assigned the conversation to in",
        "Olivia transferred the conversation to Sales",
        "Olivia resolved the conversation",
        "Olivia reopened the conversation",
    ]
    assert _lines(world, cid, "pt-BR")[0] == "Olivia assumiu a conversa"


def test_system_lines_are_never_sent_or_previewed(world: World) -> None:
    a = world.a
    cid = _conversation(world)
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        service.assign_to_me(scope, actor=a.owner, conversation_id=cid)
        service.resolve(scope, actor=a.owner, conversation_id=cid)
    lines = messages(type="system")
    assert len(lines) == 2
    assert all(m.is_internal_note and m.status is None and not m.wa_message_id for m in lines)
    assert conversations()[0].last_message_preview == "Oi"
    for line in lines:
        with session_scope() as session:
            assert (
                claim_batch(session, message_ids=[line.id or 0], now=utcnow()) == []
            )  # never sent


def test_another_tenants_conversation_gets_no_line(world: World) -> None:
    cid = _conversation(world)
    b = world.b
    with session_scope() as session, pytest.raises(NotFound):
        service.resolve(TenantScope(session, b.tenant_id), actor=b.owner, conversation_id=cid)
    assert messages(type="system") == []


def test_a_signature_signs_text_replies_only_when_set(world: World) -> None:
    a = world.a
    cid = _conversation(world)
    with session_scope() as session:
        scope = TenantScope(session, a.tenant_id)
        service.enqueue_text_reply(scope, actor=a.owner, conversation_id=cid, text="sem assinatura")
        set_signature(scope, actor=a.owner, signature="  Olivia   - Vendas ")
        service.enqueue_text_reply(scope, actor=a.owner, conversation_id=cid, text="Temos sim")
        service.add_internal_note(scope, actor=a.owner, conversation_id=cid, text="nota")
    bodies = [m.body for m in messages(direction="out") if m.type != "system"]
    assert bodies == ["sem assinatura", "*Olivia - Vendas*:\nTemos sim", "nota"]


def test_a_signature_too_long_is_refused_and_changes_nothing(world: World) -> None:
    a = world.a
    with session_scope() as session, pytest.raises(UserError):
        set_signature(TenantScope(session, a.tenant_id), actor=a.owner, signature="x" * 61)
    with session_scope() as session:
        assert session.get(User, a.owner.user_id).signature is None  # type: ignore[union-attr]
