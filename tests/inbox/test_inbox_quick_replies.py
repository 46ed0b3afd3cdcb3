"""Quick replies: per-tenant saved texts found by their /shortcut."""

from __future__ import annotations

import pytest
from conftest import World

from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import UserError
from whatsapp_saas.inbox import quick_replies as qr
from whatsapp_saas.tenancy.scope import NotFound, TenantScope


def test_crud_and_prefix_lookup(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.a.tenant_id)
        hello = qr.create_quick_reply(scope, shortcut="/Hello", text="Olá! Em que posso ajudar?")
        qr.create_quick_reply(scope, shortcut="hours", text="Seg a sex, 9h às 18h.")
        qr.create_quick_reply(scope, shortcut="help_desk", text="Suporte")
        assert hello.shortcut == "hello"
        assert [r.shortcut for r in qr.list_quick_replies(scope, prefix="/h")] == [
            "hello",
            "help_desk",
            "hours",
        ]
        assert [r.shortcut for r in qr.list_quick_replies(scope, prefix="hel")] == [
            "hello",
            "help_desk",
        ]
        assert [r.shortcut for r in qr.list_quick_replies(scope, prefix="help_")] == ["help_desk"]
        qr.update_quick_reply(scope, reply_id=hello.id, text="Oi!")  # type: ignore[arg-type]
        with pytest.raises(UserError) as err:
            qr.create_quick_reply(scope, shortcut="HOURS", text="dup")
        assert err.value.code == "error.inbox_quick_reply_taken"
        with pytest.raises(UserError):
            qr.create_quick_reply(scope, shortcut="two words", text="x")
        with pytest.raises(UserError):
            qr.create_quick_reply(scope, shortcut="empty", text="   ")
        hello_id = hello.id
    with session_scope() as session:
        other = TenantScope(session, world.b.tenant_id)
        assert qr.list_quick_replies(other) == []
        with pytest.raises(NotFound):
            qr.delete_quick_reply(other, reply_id=hello_id)  # type: ignore[arg-type]
    with session_scope() as session:
        scope = TenantScope(session, world.a.tenant_id)
        qr.delete_quick_reply(scope, reply_id=hello_id)  # type: ignore[arg-type]
        assert [r.shortcut for r in qr.list_quick_replies(scope)] == ["help_desk", "hours"]
