"""Inbox rows carry their conversation's tags (two chips and "+N"), read with the page in
one query however many rows there are; another tenant's tags never show."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.crm import tags
from whatsapp_saas.db import get_engine, session_scope
from whatsapp_saas.inbox.models import Conversation
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.ui.inbox import loaders
from whatsapp_saas.ui.inbox.views import row_tags


def _threads(world: World, count: int, start: int = 0) -> list[int]:
    owner = world.a.owner
    ids = []
    for i in range(start, start + count):
        contact = make_contact(owner, f"+55119888801{i:02d}", f"Pessoa {i}")

        def add(scope: TenantScope, c: int = contact) -> int:
            conv = scope.add(
                Conversation(tenant_id=scope.tenant_id, number_id=world.a.number_id, contact_id=c)
            )
            scope.session.flush()
            return int(conv.id or 0)

        ids.append(run(owner.tenant_id, add))
    return ids


def _page(world: World) -> tuple[dict[str, dict[str, str]], int]:
    """The rows by conversation id, and how many statements the page took."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(get_engine(), "before_cursor_execute", count)
    try:
        with session_scope() as session:
            rows, _ = loaders.conversation_list(session, world.a.owner, loaders.ListQuery())
    finally:
        sa.event.remove(get_engine(), "before_cursor_execute", count)
    return {r["id"]: r for r in rows}, len(statements)


def test_rows_show_two_tags_and_the_rest_as_a_count(world: World) -> None:
    owner = world.a.owner
    first, second, third = _threads(world, 3)
    made = {
        name: run(
            owner.tenant_id,
            lambda s, n=name, c=color: int(tags.create_tag(s, name=n, color=c).id or 0),
        )
        for name, color in (("VIP", "amber"), ("Atraso", "red"), ("Novo", "green"), ("B2B", "blue"))
    }
    run(
        owner.tenant_id,
        lambda s: tags.set_conversation_tags(
            s, actor=owner, conversation_id=first, tag_ids=list(made.values())
        ),
    )
    run(
        owner.tenant_id,
        lambda s: tags.set_conversation_tags(
            s, actor=owner, conversation_id=second, tag_ids=[made["VIP"]]
        ),
    )
    rows, few = _page(world)
    assert (rows[str(first)]["tag1"], rows[str(first)]["tag1_color"]) == ("Atraso", "red")
    assert (rows[str(first)]["tag2"], rows[str(first)]["tag2_color"]) == ("B2B", "blue")
    assert rows[str(first)]["tags_more"] == "+2"
    assert rows[str(first)]["tags_rest"] == "Novo, VIP"
    assert (rows[str(second)]["tag1"], rows[str(second)]["tag2"]) == ("VIP", "")
    assert rows[str(second)]["tags_more"] == ""
    assert rows[str(third)]["tag1"] == ""

    # Ten more tagged rows cost no more statements: the tags come in one query per page.
    for conv in _threads(world, 10, start=50):
        run(
            owner.tenant_id,
            lambda s, c=conv: tags.set_conversation_tags(
                s, actor=owner, conversation_id=c, tag_ids=[made["Novo"]]
            ),
        )
    rows, more = _page(world)
    assert len(rows) == 13 and more == few


def test_row_tags_fields() -> None:
    assert row_tags([]) == {
        "tag1": "", "tag1_color": "gray", "tag2": "", "tag2_color": "gray",
        "tags_more": "", "tags_rest": "",
    }  # fmt: skip
    three = row_tags([("a", "red"), ("b", ""), ("c", "blue")])
    assert (three["tag2_color"], three["tags_more"], three["tags_rest"]) == ("gray", "+1", "c")
