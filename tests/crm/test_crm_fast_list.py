"""The list at scale (migration 0021), on PostgreSQL and SQLite: the sort by last contact
with keyset pages, kept by the conversations' trigger, and the custom-field filter that
PostgreSQL answers from its side table (kept by the contacts' trigger)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.contacts.models import Contact
from whatsapp_saas.crm import fields, listing
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.inbox.models import Conversation, ConversationStatus
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

NOV = datetime(2026, 11, 1, 12, tzinfo=UTC)


def _talk(tenant_id: int, number_id: int, contact_id: int, day: int) -> int:
    def add(scope: TenantScope) -> int:
        conv = scope.add(
            Conversation(
                tenant_id=tenant_id,
                number_id=number_id,
                contact_id=contact_id,
                status=ConversationStatus.OPEN.value,
                last_message_at=NOV + timedelta(days=day),
            )
        )
        scope.session.flush()
        return int(conv.id or 0)

    return run(tenant_id, add)


def _walk(viewer: CurrentUser, flt: ContactFilter | None = None, **kw: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    after = ""
    while True:
        page = run(
            viewer.tenant_id,
            lambda s, a=after: listing.contact_page(
                s, actor=viewer, flt=flt or ContactFilter(), per_page=2, after=a, **kw
            ),
        )
        pages.append([r.contact.display_name for r in page.rows])
        if not page.has_next:
            return pages
        after = page.next_cursor
        assert len(pages) < 10, "the cursor does not advance"


def _second_number(scope: TenantScope) -> int:
    number = scope.add(WhatsAppNumber(tenant_id=scope.tenant_id, name="second"))
    scope.session.flush()
    return int(number.id or 0)


def test_sort_by_last_contact_pages_by_keyset(sqlite_world: World) -> None:
    a = sqlite_world.a
    owner = a.owner
    ids = {n: make_contact(owner, f"+55119888800{i:02d}", n) for i, n in enumerate("ABCDE")}
    second = run(owner.tenant_id, _second_number)
    _talk(owner.tenant_id, a.number_id, ids["A"], 3)
    _talk(owner.tenant_id, second, ids["A"], 9)  # A's newest is on the second number
    _talk(owner.tenant_id, a.number_id, ids["B"], 5)
    c_thread = _talk(owner.tenant_id, a.number_id, ids["C"], 1)
    # D and E never talked: they come last, newest first, in id order among themselves.
    newest = _walk(owner, sort="last", descending=True)
    assert newest == [["A", "B"], ["C", "E"], ["D"]]
    oldest = [n for p in _walk(owner, sort="last") for n in p]
    assert oldest == ["D", "E", "C", "B", "A"]

    # A new message in C's conversation moves C to the top.
    def reply(scope: TenantScope) -> None:
        conv = scope.get(Conversation, c_thread)
        conv.last_message_at = NOV + timedelta(days=12)
        scope.add(conv)

    run(owner.tenant_id, reply)
    first = run(
        owner.tenant_id,
        lambda s: listing.contact_page(
            s, actor=owner, flt=ContactFilter(), sort="last", descending=True, per_page=2
        ),
    )
    assert [r.contact.display_name for r in first.rows] == ["C", "A"]
    assert first.rows[0].last_contact_at == NOV + timedelta(days=12)
    # Filters and search combine with the sort.
    searched = _walk(owner, ContactFilter(search="b"), sort="last", descending=True)
    assert searched == [["B"]]


def test_sort_by_last_contact_ignores_other_tenants(sqlite_world: World) -> None:
    a, b = sqlite_world.a, sqlite_world.b
    mine = make_contact(a.owner, "+5511988880001", "Mine")
    theirs = make_contact(b.owner, "+5511988880002", "Theirs")
    _talk(a.tenant_id, a.number_id, mine, 2)
    _talk(b.tenant_id, b.number_id, theirs, 8)
    assert _walk(a.owner, sort="last", descending=True) == [["Mine"]]


def _define(viewer: CurrentUser, key: str, kind: str = "text") -> None:
    run(
        viewer.tenant_id,
        lambda s: fields.create_definition(s, entity="contact", key=key, label=key, type=kind),
    )


def _with_field(viewer: CurrentUser, **values: str) -> list[str]:
    flt = ContactFilter(fields=values)
    page = run(viewer.tenant_id, lambda s: listing.contact_page(s, actor=viewer, flt=flt))
    return [r.contact.display_name for r in page.rows]


def test_field_filter_follows_edits_deletes_and_tenants(sqlite_world: World) -> None:
    a, b = sqlite_world.a, sqlite_world.b
    for viewer in (a.owner, b.owner):
        _define(viewer, "city")
        _define(viewer, "notes", "long_text")
    ana = make_contact(a.owner, "+5511988880001", "Ana", fields={"city": "Recife"})
    bia = make_contact(a.owner, "+5511988880002", "Bia", fields={"city": "Natal"})
    make_contact(b.owner, "+5511988880003", "Beta", fields={"city": "Recife"})
    assert _with_field(a.owner, city="Recife") == ["Ana"]

    def edit(contact_id: int, value: str) -> None:
        from whatsapp_saas.crm import profile

        run(
            a.tenant_id,
            lambda s: profile.update_profile(
                s, actor=a.owner, contact_id=contact_id, changes={"fields": {"city": value}}
            ),
        )

    edit(bia, "Recife")
    edit(ana, "Olinda")
    assert _with_field(a.owner, city="Recife") == ["Bia"]
    assert _with_field(a.owner, city="Olinda") == ["Ana"]
    run(a.tenant_id, lambda s: s.session.execute(sa.delete(Contact).where(col(Contact.id) == bia)))
    assert _with_field(a.owner, city="Recife") == []
    assert _with_field(b.owner, city="Recife") == ["Beta"]
    # A value longer than the side table keeps is still matched exactly, and its cut is not.
    long = "x" * 300
    cara = make_contact(a.owner, "+5511988880004", "Cara", fields={"notes": long})
    assert _with_field(a.owner, notes=long) == ["Cara"]
    assert _with_field(a.owner, notes=long[:256]) == []
    assert cara


def test_a_small_first_page_is_counted_with_its_rows(sqlite_world: World) -> None:
    """PostgreSQL reads a few matches' page and count in one statement; both dialects give
    the same exact total, and the next page still follows the cursor."""
    owner = sqlite_world.a.owner
    for i, name in enumerate(["Ana Silva", "Bia Silva", "Caio Silva", "Davi Souza"]):
        make_contact(owner, f"+55119888800{i:02d}", name)
    flt = ContactFilter(search="silva")
    page = run(owner.tenant_id, lambda s: listing.contact_page(s, actor=owner, flt=flt, per_page=2))
    assert [r.contact.display_name for r in page.rows] == ["Ana Silva", "Bia Silva"]
    assert (page.total, page.estimated, page.has_next) == (3, False, True)
    assert _walk(owner, flt) == [["Ana Silva", "Bia Silva"], ["Caio Silva"]]
