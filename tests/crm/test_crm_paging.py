"""Keyset pages of the contact list, the pipeline/stage filter, and the count that a large
filter estimates: on PostgreSQL and on SQLite (embedded mode)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.crm.conftest import World
from tests.crm.crm_helpers import make_contact, run
from whatsapp_saas.accounts.service import CurrentUser
from whatsapp_saas.crm import fields, listing, query
from whatsapp_saas.crm.filters import ContactFilter
from whatsapp_saas.deals.models import Deal, Pipeline, Stage
from whatsapp_saas.inbox.models import Conversation, ConversationStatus
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.whatsapp.models import WhatsAppNumber

NAMES = ["Bia", "ana", "Caio", "Davi", "Érica", "Fábio", "Gil"]


def _walk(viewer: CurrentUser, **kw: Any) -> list[list[str]]:
    """Every page, following next_cursor from the first."""
    pages: list[list[str]] = []
    after = ""
    while True:
        page = run(
            viewer.tenant_id,
            lambda s, a=after: listing.contact_page(
                s, actor=viewer, flt=ContactFilter(), per_page=3, after=a, **kw
            ),
        )
        pages.append([r.contact.display_name for r in page.rows])
        if not page.has_next:
            return pages
        after = page.next_cursor
        assert len(pages) < 10, "the cursor does not advance"


def test_keyset_pages_cover_every_row_once(sqlite_world: World) -> None:
    owner = sqlite_world.a.owner
    for i, name in enumerate(NAMES):
        make_contact(owner, f"+55119888800{i:02d}", name)
    make_contact(owner, "+5511988880099", "Ana")  # the same sort value: the id breaks the tie
    by_name = _walk(owner, sort="name")
    assert [len(p) for p in by_name] == [3, 3, 2]
    flat = [n for p in by_name for n in p]
    assert flat == sorted(flat, key=str.lower)  # ties keep id order, which sorted() keeps
    assert sorted(flat) == sorted([*NAMES, "Ana"])
    assert flat[:2] in (["ana", "Ana"], ["Ana", "ana"])
    backwards = [n for p in _walk(owner, sort="name", descending=True) for n in p]
    assert backwards == list(reversed(flat))
    newest = [n for p in _walk(owner, sort="created", descending=True) for n in p]
    assert newest == ["Ana", *reversed(NAMES)]
    assert next(n for p in _walk(owner, sort="updated") for n in p) == "Bia"


def test_a_bad_cursor_reads_the_first_page(sqlite_world: World) -> None:
    owner = sqlite_world.a.owner
    for i, name in enumerate(NAMES):
        make_contact(owner, f"+55119888800{i:02d}", name)
    for bad in ("nonsense", '["x"]', "[1, 2, 3]", '["2026-13-99", 1]'):
        page = run(
            owner.tenant_id,
            lambda s, b=bad: listing.contact_page(
                s, actor=owner, flt=ContactFilter(), sort="created", per_page=3, after=b
            ),
        )
        assert len(page.rows) == 3 and page.has_next


def _pipeline(scope: TenantScope, name: str) -> list[int]:
    pipeline = scope.add(Pipeline(tenant_id=scope.tenant_id, name=name))
    scope.session.flush()
    assert pipeline.id is not None
    stages = [
        scope.add(Stage(tenant_id=scope.tenant_id, pipeline_id=pipeline.id, name=n, position=i))
        for i, n in enumerate(("Lead", "Won"))
    ]
    scope.session.flush()
    return [pipeline.id, *(s.id or 0 for s in stages)]


def _deal(scope: TenantScope, ids: list[int], stage: int, contact_id: int) -> None:
    scope.add(
        Deal(
            tenant_id=scope.tenant_id,
            pipeline_id=ids[0],
            stage_id=ids[stage],
            contact_id=contact_id,
            title="Deal",
        )
    )


def test_pipeline_and_stage_filter(sqlite_world: World) -> None:
    owner = sqlite_world.a.owner
    bia, ana, caio = (make_contact(owner, f"+551198888000{i}", n) for i, n in enumerate(NAMES[:3]))
    beta = sqlite_world.b.owner
    beta_contact = make_contact(beta, "+5511988880009", "Beta person")

    def setup(scope: TenantScope) -> tuple[list[int], list[int]]:
        sales, support = _pipeline(scope, "Sales"), _pipeline(scope, "Support")
        _deal(scope, sales, 1, ana)  # Lead
        _deal(scope, sales, 2, bia)  # Won
        _deal(scope, support, 1, caio)
        return sales, support

    sales, support = run(owner.tenant_id, setup)
    foreign = run(beta.tenant_id, lambda s: _pipeline(s, "Beta sales"))
    run(beta.tenant_id, lambda s: _deal(s, foreign, 1, beta_contact))

    def names(**flt: Any) -> list[str]:
        page = run(
            owner.tenant_id,
            lambda s: listing.contact_page(s, actor=owner, flt=ContactFilter(**flt)),
        )
        return [r.contact.display_name for r in page.rows]

    assert names(pipeline_id=sales[0]) == ["ana", "Bia"]
    assert names(stage_id=sales[1]) == ["ana"]
    assert names(stage_id=sales[2]) == ["Bia"]
    assert names(pipeline_id=sales[0], stage_id=support[1]) == []
    assert names(pipeline_id=support[0], search="caio") == ["Caio"]
    assert names(pipeline_id=foreign[0]) == []  # another tenant's pipeline matches nobody
    stored = ContactFilter.from_dict({"pipeline_id": str(sales[0]), "stage_id": str(sales[1])})
    assert (stored.pipeline_id, stored.stage_id) == (sales[0], sales[1])


def test_custom_field_filter_by_text_and_number(sqlite_world: World) -> None:
    owner = sqlite_world.a.owner
    for key, kind in (("city", "text"), ("visits", "number")):
        run(
            owner.tenant_id,
            lambda s, k=key, t=kind: fields.create_definition(
                s, entity="contact", key=k, label=k, type=t
            ),
        )
    make_contact(owner, "+5511988880001", "Ana", fields={"city": "Recife", "visits": "3"})
    make_contact(owner, "+5511988880002", "Bia", fields={"city": "Recife", "visits": "30"})

    def names(**values: str) -> list[str]:
        flt = ContactFilter(fields=values)
        page = run(owner.tenant_id, lambda s: listing.contact_page(s, actor=owner, flt=flt))
        return [r.contact.display_name for r in page.rows]

    assert names(city="Recife") == ["Ana", "Bia"]
    assert names(visits="3") == ["Ana"]
    assert names(city="Recife", visits="30") == ["Bia"]
    assert names(city="recife") == []


def test_a_small_result_is_counted_exactly(sqlite_world: World) -> None:
    owner = sqlite_world.a.owner
    for i, name in enumerate(NAMES):
        make_contact(owner, f"+55119888800{i:02d}", name)
    page = run(
        owner.tenant_id,
        lambda s: listing.contact_page(s, actor=owner, flt=ContactFilter(), per_page=3),
    )
    assert (page.total, page.estimated, page.total_capped) == (7, False, False)
    assert query._two_digits(40_404) == 40_000 and query._two_digits(987) == 990


def test_last_contact_is_the_newest_conversation(sqlite_world: World) -> None:
    """The date filters test the newest message of any conversation (EXISTS probes)."""
    owner = sqlite_world.a.owner
    xavier, yara = (make_contact(owner, f"+551198888000{i}", n) for i, n in enumerate("XY"))
    make_contact(owner, "+5511988880009", "Zoe")  # never talked: no last contact

    def setup(scope: TenantScope) -> None:
        second = scope.add(WhatsAppNumber(tenant_id=scope.tenant_id, name="second"))
        scope.session.flush()
        for number, contact, day in (
            (sqlite_world.a.number_id, xavier, 10),
            (second.id, xavier, 25),
            (sqlite_world.a.number_id, yara, 15),
        ):
            scope.add(
                Conversation(
                    tenant_id=scope.tenant_id,
                    number_id=number,
                    contact_id=contact,
                    status=ConversationStatus.OPEN.value,
                    last_message_at=datetime(2026, 11, day, 12, tzinfo=UTC),
                )
            )

    run(owner.tenant_id, setup)

    def names(**flt: str) -> list[str]:
        page = run(
            owner.tenant_id,
            lambda s: listing.contact_page(s, actor=owner, flt=ContactFilter(**flt)),
        )
        return [r.contact.display_name for r in page.rows]

    assert names(last_contact_to="2026-11-20") == ["Y"]
    assert names(last_contact_from="2026-11-20") == ["X"]
    assert names(last_contact_from="2026-11-12", last_contact_to="2026-11-20") == ["Y"]
    assert names(last_contact_from="2026-11-01") == ["X", "Y"]
