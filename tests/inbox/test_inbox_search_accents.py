"""Search ignores accents and case, and finds attachments by file name and caption."""

from __future__ import annotations

import pytest
from conftest import World
from inbox_helpers import inbound

from whatsapp_saas.db import session_scope
from whatsapp_saas.inbox import queries, service
from whatsapp_saas.inbox.ingest import ingest_batch
from whatsapp_saas.tenancy.scope import TenantScope
from whatsapp_saas.text_fold import fold
from whatsapp_saas.whatsapp import gateway as gw

PLANS = pytest.mark.parametrize(
    "plan", [(3000, 5000), (-1, 5000), (3000, 1)], ids=["rare", "common", "rare-overflow"]
)


def _document(filename: str) -> gw.MediaRef:
    return gw.MediaRef(
        kind=gw.MediaKind.DOCUMENT, mimetype="application/pdf", locator="doc1", filename=filename
    )


def _seed(world: World) -> None:
    a = world.a
    ingest_batch(
        [
            inbound(a.tenant_id, a.number_id, phone="+5511933330001", text="Tem PÃO de queijo?"),
            inbound(a.tenant_id, a.number_id, phone="+5511933330002", text="Moro no Méier"),
            inbound(
                a.tenant_id,
                a.number_id,
                phone="+5511933330004",
                text="oi",
                push_name="José Conceição",
            ),
            inbound(
                a.tenant_id,
                a.number_id,
                phone="+5511933330003",
                text="Segue a promoção",
                media=_document("Nota_Fiscal-Março.pdf"),
            ),
        ]
    )


def _search(viewer, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        hits = service.search_messages(
            TenantScope(session, viewer.tenant_id), actor=viewer, text=text
        )
        return sorted((h.message.body or h.message.caption or "") for h in hits)


def _listed(viewer, text: str) -> int:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        scope = TenantScope(session, viewer.tenant_id)
        return len(service.list_conversations(scope, actor=viewer, search=text).items)


def test_fold_strips_accents_and_case() -> None:
    assert fold("Pão no MÉIER, ação") == "pao no meier, acao"


@PLANS
def test_search_ignores_accents_and_case(
    world: World, plan: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "WALK_ABOVE", plan[0])
    monkeypatch.setattr(queries, "RARE_CAP", plan[1])
    _seed(world)
    owner = world.a.owner
    assert _search(owner, "pao") == ["Tem PÃO de queijo?"]
    assert _search(owner, "meier") == ["Moro no Méier"]
    assert _search(owner, "MÉIER") == ["Moro no Méier"]
    assert _search(owner, "pão queijo") == ["Tem PÃO de queijo?"]
    assert _listed(owner, "pao") == 1
    assert _listed(owner, "jose conceicao") == 1  # the contact's name
    assert _listed(owner, "JOSÉ") == 1
    assert _search(world.b.owner, "pao") == []


@PLANS
def test_search_covers_attachment_file_names_and_captions(
    world: World, plan: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "WALK_ABOVE", plan[0])
    monkeypatch.setattr(queries, "RARE_CAP", plan[1])
    _seed(world)
    owner = world.a.owner
    assert _search(owner, "fiscal") == ["Segue a promoção"]
    assert _search(owner, "nota marco") == ["Segue a promoção"]
    assert _search(owner, "promocao") == ["Segue a promoção"]
    assert _listed(owner, "fiscal") == 1
