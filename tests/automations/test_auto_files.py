"""Files that rules and menus send (PostgreSQL): stored once, sent through the outbox as media,
only this tenant's, kept from the media sweep, and a manager's to upload."""

from __future__ import annotations

import pytest
from auto_helpers import World, add_rule, automated, inbound, make_world
from menu_helpers import add_department, three_levels

from whatsapp_saas.automations import service
from whatsapp_saas.automations.menu_service import save_menu
from whatsapp_saas.automations.models import AutomationRule
from whatsapp_saas.db import session_scope
from whatsapp_saas.errors import PermissionDenied, UserError
from whatsapp_saas.inbox.media_sweep import referenced_keys
from whatsapp_saas.tenancy.scope import TenantScope

PDF = b"%PDF-1.4\n" + b"0" * 2048


def _upload(world: World, name: str = "tabela.pdf") -> int:
    with session_scope() as session:
        row = service.add_file(
            TenantScope(session, world.tenant_id),
            actor=world.owner,
            data=PDF,
            mimetype="application/pdf",
            filename=name,
        )
        assert row.id is not None
        return row.id


def test_a_keyword_rule_replies_with_the_price_list_pdf_and_a_caption(world: World) -> None:
    file_id = _upload(world)
    action = {"type": "send_message", "message": "Segue a tabela, {{contact.first_name}}"}
    add_rule(world, actions=[{**action, "media_id": str(file_id)}])
    inbound(world, "qual o preço?")
    (reply,) = automated(world)
    assert reply.type == "document" and reply.media_filename == "tabela.pdf"
    assert reply.caption == "Segue a tabela, Maria" and reply.status == "queued"
    with session_scope() as session:
        assert reply.media_storage_key in referenced_keys(session, tenant_id=world.tenant_id)


def test_a_file_alone_is_a_message_and_nothing_at_all_is_refused(world: World) -> None:
    file_id = _upload(world)
    add_rule(world, actions=[{"type": "send_message", "message": "", "media_id": str(file_id)}])
    inbound(world, "preco")
    (reply,) = automated(world)
    assert reply.type == "document" and not reply.caption
    with pytest.raises(UserError) as err:
        add_rule(world, name="Empty", actions=[{"type": "send_message", "message": ""}])
    assert err.value.code == "error.auto_message_required"


def test_another_companys_file_is_refused_and_nothing_is_saved(world: World) -> None:
    theirs = _upload(make_world("Beta"))
    action = {"type": "send_message", "message": "oi", "media_id": str(theirs)}
    with pytest.raises(UserError) as err:
        add_rule(world, actions=[action])
    assert err.value.code == "error.auto_media_invalid"
    with session_scope() as session:
        assert TenantScope(session, world.tenant_id).all(AutomationRule) == []


def test_an_agent_cannot_upload_or_list_files(world: World) -> None:
    with session_scope() as session:
        scope = TenantScope(session, world.tenant_id)
        with pytest.raises(PermissionDenied):
            service.add_file(
                scope, actor=world.agent, data=PDF, mimetype="application/pdf", filename="x"
            )
        with pytest.raises(PermissionDenied):
            service.list_files(scope, actor=world.agent)


def test_a_menu_shows_its_picture_then_the_options_and_an_option_sends_its_file(
    world: World,
) -> None:
    welcome, catalogue = _upload(world, "boas-vindas.pdf"), _upload(world, "catalogo.pdf")
    tree = three_levels(add_department(world))
    tree["media_id"] = str(welcome)
    tree["options"][0]["media_id"] = str(catalogue)
    with session_scope() as session:
        menu = save_menu(
            TenantScope(session, world.tenant_id), actor=world.owner, name="M", tree=tree
        )
    add_rule(
        world,
        name="Greeting",
        trigger={"type": "message_received", "which": "new_contact"},
        actions=[{"type": "send_menu", "menu_id": str(menu.id)}],
    )
    inbound(world, "oi")
    first, options = automated(world)
    assert first.media_filename == "boas-vindas.pdf" and not first.caption
    assert options.type == "text" and "*1.* Vendas" in (options.body or "")
    inbound(world, "1")
    chosen = automated(world)[2]
    assert chosen.media_filename == "catalogo.pdf"
    assert chosen.caption == "Um vendedor já vai falar com você."


def test_a_menu_naming_another_companys_file_is_refused(world: World) -> None:
    theirs = _upload(make_world("Beta"))
    tree = three_levels(add_department(world))
    tree["options"][1]["options"][0]["media_id"] = str(theirs)
    with session_scope() as session, pytest.raises(UserError) as err:
        save_menu(TenantScope(session, world.tenant_id), actor=world.owner, name="M", tree=tree)
    assert err.value.code == "error.menu_option_media_id_required"
    assert err.value.params["field"] == "2.1"
